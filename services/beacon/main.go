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
	"io"
	"net/http"
	"os"

	"github.com/gocql/gocql"

	"github.com/find-peers/find-peers/libs/config"
	"github.com/find-peers/find-peers/libs/service"
	"github.com/find-peers/find-peers/libs/service/keyspace"
)

// settings is the service's configuration (flags with BEACON_* fallbacks):
// the common and the keyspace flags only.
type settings struct {
	service.Settings
	keyspace.Cassandra
}

var program = keyspace.Service[settings]{
	Name:            "beacon",
	EnvPrefix:       "BEACON",
	DefaultKeyspace: "beacon_service",
	Defaults:        service.Defaults{Addr: "127.0.0.1:8081", ReadyChecks: "Cassandra check", RequestTimeout: service.DefaultRequestTimeout},
	Schema:          schemaFS,
	Flags: func(*config.Set) func(service.Settings, keyspace.Cassandra) settings {
		return func(common service.Settings, ks keyspace.Cassandra) settings { return settings{common, ks} }
	},
	Seed: func(ctx context.Context, session *gocql.Session) error {
		return seed(ctx, newCassandraStore(session))
	},
	Handler: func(d keyspace.Deps, s settings) (http.Handler, func()) {
		return routes(newCassandraStore(d.Session), d.Ops, s.RequestTimeout, d.Logger), nil
	},
}

func main() {
	os.Exit(run(os.Args[1:], os.LookupEnv, os.Stderr))
}

// run is main without the process exit: it returns the exit code (0 ok,
// 1 failure, 2 bad usage).
func run(args []string, lookup func(string) (string, bool), stderr io.Writer) int {
	return program.Main(args, lookup, stderr)
}
