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

	"github.com/find-peers/find-peers/libs/cassandra"
	"github.com/find-peers/find-peers/libs/config"
	"github.com/find-peers/find-peers/libs/httpx"
	"github.com/find-peers/find-peers/libs/service"
)

// commands are the subcommands of a keyspace-owning service.
var commands = []string{"serve", "migrate", "seed", "health"}

// Settings are the values of the flags AddFlags registers.
type Settings struct {
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
func (f *Flags) Settings() Settings {
	return Settings{Replication: f.replication, MigrateOnStart: *f.migrate, ConnectTimeout: *f.connect}
}

// Deps is what a service's handler is built from.
type Deps struct {
	Session      *gocql.Session
	Ready        httpx.Check   // the Cassandra readiness check, for /readyz
	ReadyTimeout time.Duration // bound of the whole /readyz check
	// RequestTimeout bounds each API request (httpx.WithTimeout).
	RequestTimeout time.Duration
	Logger         *slog.Logger
}

// Service is a keyspace-owning service's part of its commands.
type Service struct {
	Name            string // for log messages: "beacon"
	DefaultKeyspace string // when CASSANDRA_KEYSPACE is unset
	Schema          fs.FS  // the versioned CQL migrations
	// Seed loads the demo data into the migrated keyspace.
	Seed func(ctx context.Context, session *gocql.Session) error
	// Handler builds the HTTP handler; release, if not nil, is called once
	// the server has stopped (to close what the handler holds open).
	Handler func(d Deps) (h http.Handler, release func())
}

// Main is service.Main for a keyspace-owning service, with the subcommands
// serve (the default), migrate, seed and health. parse parses the flags of
// cmd (flag.ErrHelp for -h) and returns the common and the keyspace
// settings; a service keeps its own settings from it for its Handler.
func (svc Service) Main(args []string, stderr io.Writer, parse func(cmd string, args []string) (service.Settings, Settings, error)) int {
	var (
		common service.Settings
		ks     Settings
	)
	return service.Main(service.Program{
		Name:     svc.Name,
		Commands: commands,
		Parse: func(cmd string, args []string) (service.Settings, error) {
			var err error
			common, ks, err = parse(cmd, args)
			return common, err
		},
		Help: svc.printEnvHelp,
		Run: func(ctx context.Context, cmd string, logger *slog.Logger) int {
			return svc.run(ctx, cmd, common, ks, logger)
		},
	}, args, stderr)
}

// printEnvHelp lists the Cassandra environment variables after -h: they are
// not flags, so the flag package's usage does not show them.
func (svc Service) printEnvHelp(w io.Writer) {
	fmt.Fprintf(w, "\nCassandra: %s (required), %s (default %s), %s, %s, %s, %s\n",
		cassandra.EnvHosts, cassandra.EnvKeyspace, svc.DefaultKeyspace, cassandra.EnvConsistency,
		cassandra.EnvLocalDC, cassandra.EnvTimeout, cassandra.EnvNumConns)
}

// run carries out cmd ("serve", "migrate" or "seed"; "health" is
// service.Main's) and returns the exit code: 2 for bad CASSANDRA_* settings,
// 1 when the command failed (logged), 0 otherwise.
func (svc Service) run(ctx context.Context, cmd string, common service.Settings, s Settings, logger *slog.Logger) int {
	cfg, err := cassandra.FromEnv(svc.DefaultKeyspace)
	if err != nil {
		logger.Error("bad Cassandra settings", "error", err)
		return 2
	}
	switch cmd {
	case "migrate", "seed":
		err = svc.migrateAndSeed(ctx, cfg, s, cmd == "seed", logger)
	default:
		err = svc.serve(ctx, cfg, common, s, logger)
	}
	if err != nil {
		logger.Error(svc.Name+" "+cmd+" failed", "error", err)
		return 1
	}
	return 0
}

// migrateAndSeed applies the schema and, for `seed`, loads the demo data.
func (svc Service) migrateAndSeed(ctx context.Context, cfg cassandra.Config, s Settings, withSeed bool, logger *slog.Logger) error {
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
func (svc Service) serve(ctx context.Context, cfg cassandra.Config, common service.Settings, s Settings, logger *slog.Logger) error {
	// Only the connection is bounded by the connect timeout, not serving.
	cctx, cancel := context.WithTimeout(ctx, s.ConnectTimeout)
	session, err := svc.connect(cctx, cfg, s.Replication, s.MigrateOnStart, logger)
	cancel()
	if err != nil {
		return err
	}
	defer session.Close()
	check := httpx.Check{Name: "cassandra", Fn: func(ctx context.Context) error { return cassandra.Ping(ctx, session) }}
	handler, release := svc.Handler(Deps{Session: session, Ready: check, ReadyTimeout: common.ReadyTimeout, RequestTimeout: common.RequestTimeout, Logger: logger})
	if release != nil {
		defer release()
	}
	logger.Info(svc.Name+" starting", "keyspace", cfg.Keyspace, "cassandra_hosts", cfg.Hosts)
	return httpx.Serve(ctx, common.Server, handler, logger)
}

// connect opens a session bound to cfg.Keyspace, first applying the schema
// when migrate is set, retrying until ctx ends.
func (svc Service) connect(ctx context.Context, cfg cassandra.Config, repl cassandra.Replication, migrate bool, logger *slog.Logger) (*gocql.Session, error) {
	return cassandra.ConnectWithRetry(ctx, logger, func(ctx context.Context) (*gocql.Session, error) {
		if migrate {
			return cassandra.ConnectMigrated(ctx, cfg, repl, svc.Schema)
		}
		return cassandra.Connect(ctx, cfg)
	})
}
