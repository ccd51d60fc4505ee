// Package keyspace is the shared part of a service that owns a Cassandra
// keyspace (beacon, tracking): its extra flags (-replication,
// -migrate-on-start, -connect-timeout), the `migrate` and `seed` commands,
// and `serve`, which connects (retrying until Cassandra is up), adds the
// Cassandra readiness check and serves the service's handler.
//
// Cassandra itself is configured by the CASSANDRA_* variables of
// libs/cassandra, not by flags.
package keyspace

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/gocql/gocql"
	"go.opentelemetry.io/otel/codes"

	"github.com/find-peers/find-peers/libs/cassandra"
	"github.com/find-peers/find-peers/libs/config"
	"github.com/find-peers/find-peers/libs/httpx"
	"github.com/find-peers/find-peers/libs/service"
	"github.com/find-peers/find-peers/libs/tracing"
)

// commands are the subcommands of a keyspace-owning service.
var commands = []string{"serve", "migrate", "seed", "health"}

// readyReuse is how long a successful Cassandra readiness check (or the
// connection itself) holds: /readyz answers from it without a query, so a
// service is ready once connected and probes do not each cost a round trip.
const readyReuse = time.Second

// Cassandra are the values of the flags AddFlags registers. (Not "Settings":
// a service's settings struct embeds it beside service.Settings.)
type Cassandra struct {
	Replication    cassandra.Replication // of the keyspace, when migrate creates it
	MigrateOnStart bool                  // serve applies the schema first
	ConnectTimeout time.Duration         // how long to keep trying to reach Cassandra
}

// Flags are registered by AddFlags; read them with Settings after Parse.
type Flags struct {
	migrate     *bool
	connect     *time.Duration
	replication cassandra.Replication
}

// AddFlags registers -replication, -migrate-on-start and -connect-timeout on
// fs with their validation.
func AddFlags(fs *config.Set) *Flags {
	f := &Flags{}
	repl := fs.String("replication", "SimpleStrategy:1", "keyspace replication for migrate: SimpleStrategy:N or NetworkTopologyStrategy:dc=N[,dc=N]")
	f.migrate = fs.Bool("migrate-on-start", false, "apply the schema before serving (instead of a separate migrate step)")
	f.connect = fs.Duration("connect-timeout", 2*time.Minute, "how long to keep trying to reach Cassandra at start")
	fs.Validate("replication", func() (err error) { f.replication, err = cassandra.ParseReplication(*repl); return err })
	fs.Validate("connect-timeout", func() error { return config.Positive(*f.connect) })
	return f
}

// Settings returns the parsed values; call it after the set's Parse succeeded.
func (f *Flags) Settings() Cassandra {
	return Cassandra{Replication: f.replication, MigrateOnStart: *f.migrate, ConnectTimeout: *f.connect}
}

// Keyspace returns c; embedding Cassandra (beside service.Settings) gives a
// service's settings struct Config.
func (c Cassandra) Keyspace() Cassandra { return c }

// Config is what Service needs of a service's settings: the common and the
// keyspace part, which a settings struct has by embedding service.Settings
// and Cassandra.
type Config interface {
	service.Config
	Keyspace() Cassandra
}

// Deps is what a service's handler is built from besides its settings.
type Deps struct {
	Session *gocql.Session
	// Ops are the operational endpoints with the Cassandra readiness check.
	Ops    httpx.Ops
	Logger *slog.Logger
}

// Service is a keyspace-owning service whose settings are an S.
type Service[S Config] struct {
	Name            string // for log messages and flag sets: "beacon"
	EnvPrefix       string // of the flags' environment fallbacks: "BEACON"
	DefaultKeyspace string // when CASSANDRA_KEYSPACE is unset
	Defaults        service.Defaults
	Schema          fs.FS // the versioned CQL migrations
	// Flags registers the service's own flags on fs, beside the common and
	// the keyspace ones, and returns what builds the settings once fs is
	// parsed (see service.Program).
	Flags func(fs *config.Set) func(common service.Settings, ks Cassandra) S
	// Seed loads the demo data into the migrated keyspace.
	Seed func(ctx context.Context, session *gocql.Session) error
	// Handler builds the HTTP handler; release, if not nil, is called once
	// the server has stopped (to close what the handler holds open).
	Handler func(d Deps, s S) (h http.Handler, release func())
}

// Main is service.Program.Main for a keyspace-owning service, with the
// subcommands serve (the default), migrate, seed and health.
func (svc Service[S]) Main(args []string, lookup func(string) (string, bool), stderr io.Writer) int {
	return service.Program[S]{
		Name:      svc.Name,
		EnvPrefix: svc.EnvPrefix,
		Commands:  commands,
		Defaults:  svc.Defaults,
		Flags: func(fs *config.Set) func(service.Settings) S {
			ks := AddFlags(fs)
			build := svc.Flags(fs)
			return func(common service.Settings) S { return build(common, ks.Settings()) }
		},
		Help: svc.printEnvHelp,
		Run:  svc.run,
	}.Main(args, lookup, stderr)
}

// printEnvHelp lists the Cassandra environment variables after -h: they are
// not flags, so the flag package's usage does not show them.
func (svc Service[S]) printEnvHelp(w io.Writer) {
	fmt.Fprintf(w, "\nCassandra: %s (required), %s (default %s), %s, %s, %s, %s\n",
		cassandra.EnvHosts, cassandra.EnvKeyspace, svc.DefaultKeyspace, cassandra.EnvConsistency,
		cassandra.EnvLocalDC, cassandra.EnvTimeout, cassandra.EnvNumConns)
	fmt.Fprintf(w, "Cassandra security: %s with %s or %s; TLS: %s (turns it on), %s, %s, %s, %s\n",
		cassandra.EnvUsername, cassandra.EnvPassword, cassandra.EnvPasswordFile, cassandra.EnvTLSCA,
		cassandra.EnvTLSCert, cassandra.EnvTLSKey, cassandra.EnvTLSServer, cassandra.EnvTLSInsecure)
}

// run carries out cmd ("serve", "migrate" or "seed"; "health" is
// service.Program's) and returns the exit code: 2 for bad CASSANDRA_* settings,
// 1 when the command failed (logged), 0 otherwise.
func (svc Service[S]) run(ctx context.Context, cmd string, s S, logger *slog.Logger) int {
	cfg, err := cassandra.FromEnv(svc.DefaultKeyspace)
	if err != nil {
		logger.Error("bad Cassandra settings", "error", err)
		return 2
	}
	for _, w := range cfg.Warnings() {
		logger.Warn("weak Cassandra settings", "warning", w)
	}
	switch cmd {
	case "migrate", "seed":
		// One trace per run: the schema's and the seed's statements are
		// its children (with tracing on, libs/tracing).
		sctx, span := tracing.Tracer().Start(ctx, svc.Name+" "+cmd)
		err = svc.migrateAndSeed(sctx, cfg, s.Keyspace(), cmd == "seed", logger)
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, "failed")
		}
		span.End()
	default:
		err = svc.serve(ctx, cfg, s, logger)
	}
	if err != nil {
		logger.Error(svc.Name+" "+cmd+" failed", "error", err)
		return 1
	}
	return 0
}

// migrateAndSeed applies the schema and, for `seed`, loads the demo data.
func (svc Service[S]) migrateAndSeed(ctx context.Context, cfg cassandra.Config, s Cassandra, withSeed bool, logger *slog.Logger) error {
	ctx, cancel := context.WithTimeout(ctx, s.ConnectTimeout)
	defer cancel()
	session, err := svc.connect(ctx, cfg, s.Replication, true, logger)
	if err != nil {
		return err
	}
	defer session.Close()
	logger.Info("schema applied", "keyspace", cfg.Keyspace, "replication", s.Replication.String())
	if !withSeed {
		return nil
	}
	if err := svc.Seed(ctx, session); err != nil {
		return err
	}
	logger.Info("seed data loaded", "keyspace", cfg.Keyspace)
	return nil
}

// serve connects to Cassandra and serves the API until ctx ends.
func (svc Service[S]) serve(ctx context.Context, cfg cassandra.Config, s S, logger *slog.Logger) error {
	ks := s.Keyspace()
	// The readiness check pings the session made below; the Cassandra
	// client metrics go to the same registry as the HTTP ones.
	var session *gocql.Session
	ping := &httpx.RecentCheck{Name: "cassandra", TTL: readyReuse,
		Fn: func(ctx context.Context) error { return cassandra.Ping(ctx, session) }}
	ops := s.Common().Ops(ping.Check())
	cfg.Observer = cassandra.NewObserver(ops.Registry)
	// Only the connection is bounded by the connect timeout, not serving.
	cctx, cancel := context.WithTimeout(ctx, ks.ConnectTimeout)
	session, err := svc.connect(cctx, cfg, ks.Replication, ks.MigrateOnStart, logger)
	cancel()
	if err != nil {
		return err
	}
	defer session.Close()
	// Connecting has just queried Cassandra: the first /readyz needs no
	// PREPARE and EXECUTE of its own.
	ping.Succeeded()
	handler, release := svc.Handler(Deps{Session: session, Ops: ops, Logger: logger}, s)
	if release != nil {
		defer release()
	}
	logger.Info(svc.Name+" starting", "keyspace", cfg.Keyspace, "cassandra_hosts", cfg.Hosts)
	return service.ServeHTTP(ctx, s.Common(), handler, logger)
}

// connect opens a session bound to cfg.Keyspace, first applying the schema
// when migrate is set, retrying until ctx ends.
func (svc Service[S]) connect(ctx context.Context, cfg cassandra.Config, repl cassandra.Replication, migrate bool, logger *slog.Logger) (*gocql.Session, error) {
	return cassandra.ConnectWithRetry(ctx, logger, func(ctx context.Context) (*gocql.Session, error) {
		if migrate {
			return cassandra.ConnectMigrated(ctx, cfg, repl, svc.Schema)
		}
		return cassandra.Connect(ctx, cfg)
	})
}
