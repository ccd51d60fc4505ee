// Command beacon is find-peers' beacon-service: it owns the beacons and the
// locations they hang at (Cassandra keyspace beacon_service).
//
//	beacon [serve] [flags]   serve HTTP until SIGTERM/SIGINT (the default)
//	beacon migrate [flags]   create/upgrade the keyspace and exit
//	beacon seed [flags]      migrate, load the demo beacons and exit
//	beacon health [flags]    GET /healthz on the listen address; exit 0 or 1
//
// Flags fall back to BEACON_* environment variables (see -h); Cassandra is
// configured by the CASSANDRA_* variables of libs/cassandra.
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/gocql/gocql"

	"github.com/find-peers/find-peers/libs/config"
	"github.com/find-peers/find-peers/libs/httpx"
	"github.com/find-peers/find-peers/libs/service"
	"github.com/find-peers/find-peers/libs/service/keyspace"
)

const (
	serviceName     = "beacon"
	defaultKeyspace = "beacon_service"
)

// settings is the service's configuration (flags with BEACON_* fallbacks).
type settings struct {
	service.Settings
	keyspace keyspace.Settings
}

func parseSettings(name string, args []string, lookup func(string) (string, bool), stderr io.Writer) (settings, error) {
	fs := config.NewWithLookup(name, "BEACON", lookup)
	fs.SetOutput(stderr)
	common := service.AddFlags(fs, service.Defaults{
		Addr: "127.0.0.1:8081", ReadyChecks: "Cassandra check", RequestTimeout: service.DefaultRequestTimeout,
	})
	ks := keyspace.AddFlags(fs)
	if err := fs.Parse(args); err != nil {
		return settings{}, err
	}
	if fs.NArg() > 0 {
		return settings{}, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return settings{Settings: common.Settings(), keyspace: ks.Settings()}, nil
}

func main() {
	os.Exit(run(os.Args[1:], os.LookupEnv, os.Stderr))
}

// run is main without the process exit: it returns the exit code (0 ok,
// 1 failure, 2 bad usage).
func run(args []string, lookup func(string) (string, bool), stderr io.Writer) int {
	svc := keyspace.Service{
		Name:            serviceName,
		DefaultKeyspace: defaultKeyspace,
		Schema:          schemaFS,
		Seed: func(ctx context.Context, session *gocql.Session) error {
			return seed(ctx, newCassandraStore(session))
		},
		Handler: func(d keyspace.Deps) (http.Handler, func()) {
			return routes(newCassandraStore(d.Session), httpx.NewRegistry(), d.Logger,
				limits{ready: d.ReadyTimeout, request: d.RequestTimeout}, d.Ready), nil
		},
	}
	return svc.Main(args, stderr, func(cmd string, args []string) (service.Settings, keyspace.Settings, error) {
		s, err := parseSettings(serviceName+" "+cmd, args, lookup, stderr)
		return s.Settings, s.keyspace, err
	})
}
