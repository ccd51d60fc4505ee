// Command tracking is find-peers' tracking-service: it owns the sightings
// (user U seen by beacon B at time T, Cassandra keyspace tracking_service)
// and streams new ones as server-sent events.
//
//	tracking [serve] [flags]   serve HTTP until SIGTERM/SIGINT (the default)
//	tracking migrate [flags]   create/upgrade the keyspace and exit
//	tracking seed [flags]      migrate, load the demo sightings and exit
//	tracking health [flags]    GET /healthz on the listen address; exit 0 or 1
//
// Flags fall back to TRACKING_* environment variables (see -h); Cassandra is
// configured by the CASSANDRA_* variables of libs/cassandra.
package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/gocql/gocql"

	"github.com/find-peers/find-peers/libs/config"
	"github.com/find-peers/find-peers/libs/service"
	"github.com/find-peers/find-peers/libs/service/keyspace"
	"github.com/find-peers/find-peers/libs/sse"
)

// settings is the service's configuration (flags with TRACKING_* fallbacks).
type settings struct {
	service.Settings
	keyspace.Cassandra
	stream       streamConfig
	streamBuffer int
}

var program = keyspace.Service[settings]{
	Name:            "tracking",
	EnvPrefix:       "TRACKING",
	DefaultKeyspace: "tracking_service",
	Defaults: service.Defaults{
		Addr:             "127.0.0.1:8082",
		ReadyChecks:      "Cassandra check",
		WriteTimeoutNote: "event streams extend their own deadline per write",
		RequestTimeout:   service.DefaultRequestTimeout,
	},
	Schema: schemaFS,
	Flags:  streamFlags,
	Seed: func(ctx context.Context, session *gocql.Session) error {
		return seed(ctx, newCassandraStore(session))
	},
	Handler: func(d keyspace.Deps, s settings) (http.Handler, func()) {
		events := sse.NewBroker(s.streamBuffer)
		return routes(deps{
			store:          newCassandraStore(d.Session),
			events:         events,
			stream:         s.stream,
			requestTimeout: s.RequestTimeout,
		}, d.Ops, d.Logger), events.Close
	},
}

// streamFlags registers the event-stream flags.
func streamFlags(fs *config.Set) func(service.Settings, keyspace.Cassandra) settings {
	heartbeat := fs.Duration("sse-heartbeat", 15*time.Second, "idle interval between heartbeat comments on event streams")
	sseWrite := fs.Duration("sse-write-timeout", 10*time.Second, "time one event write may take before the stream is cut")
	sseBuffer := fs.Int("sse-buffer", 256, "events a stream subscriber may lag behind before it is dropped")
	maxStreams := fs.Int("max-streams", 1000, "concurrent event streams; more get 503")

	fs.Validate("sse-heartbeat", func() error { return config.Positive(*heartbeat) })
	fs.Validate("sse-write-timeout", func() error { return config.Positive(*sseWrite) })
	fs.Validate("sse-buffer", func() error { return config.Positive(*sseBuffer) })
	fs.Validate("max-streams", func() error { return config.Positive(*maxStreams) })
	return func(common service.Settings, ks keyspace.Cassandra) settings {
		return settings{
			Settings:  common,
			Cassandra: ks,
			stream: streamConfig{
				StreamConfig: sse.StreamConfig{Heartbeat: *heartbeat, WriteTimeout: *sseWrite},
				MaxStreams:   *maxStreams,
			},
			streamBuffer: *sseBuffer,
		}
	}
}

func main() {
	os.Exit(run(os.Args[1:], os.LookupEnv, os.Stderr))
}

// run is main without the process exit: it returns the exit code (0 ok,
// 1 failure, 2 bad usage).
func run(args []string, lookup func(string) (string, bool), stderr io.Writer) int {
	return program.Main(args, lookup, stderr)
}
