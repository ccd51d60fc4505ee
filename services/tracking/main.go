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
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gocql/gocql"

	"github.com/find-peers/find-peers/libs/cassandra"
	"github.com/find-peers/find-peers/libs/config"
	"github.com/find-peers/find-peers/libs/httpx"
	"github.com/find-peers/find-peers/libs/sse"
)

const (
	serviceName     = "tracking"
	defaultKeyspace = "tracking_service"
)

// settings is the service's configuration (flags with TRACKING_* fallbacks).
type settings struct {
	server         httpx.ServerConfig
	replication    cassandra.Replication
	migrateOnStart bool
	connectTimeout time.Duration
	readyTimeout   time.Duration
	logLevel       slog.Level
	stream         streamConfig
	streamBuffer   int
}

func parseSettings(name string, args []string, lookup func(string) (string, bool), stderr io.Writer) (settings, error) {
	fs := config.NewWithLookup(name, "TRACKING", lookup)
	fs.SetOutput(stderr)
	def := httpx.DefaultServerConfig("")
	addr := fs.String("listen-addr", "127.0.0.1:8082", "address to serve HTTP on (\":8082\" in a container)")
	repl := fs.String("replication", "SimpleStrategy:1", "keyspace replication for migrate: SimpleStrategy:N or NetworkTopologyStrategy:dc=N[,dc=N]")
	migrate := fs.Bool("migrate-on-start", false, "apply the schema before serving (instead of a separate migrate step)")
	connect := fs.Duration("connect-timeout", 2*time.Minute, "how long to keep trying to reach Cassandra at start")
	ready := fs.Duration("ready-timeout", 2*time.Second, "timeout of the /readyz Cassandra check")
	readHeader := fs.Duration("read-header-timeout", def.ReadHeaderTimeout, "time allowed to read request headers")
	read := fs.Duration("read-timeout", def.ReadTimeout, "time allowed to read a whole request")
	write := fs.Duration("write-timeout", def.WriteTimeout, "time allowed to write an answer (event streams extend their own deadline per write)")
	idle := fs.Duration("idle-timeout", def.IdleTimeout, "keep-alive idle timeout")
	shutdown := fs.Duration("shutdown-timeout", def.ShutdownTimeout, "time in-flight requests get to finish on SIGTERM")
	maxHeader := fs.Int("max-header-bytes", def.MaxHeaderBytes, "request header size limit")
	level := fs.String("log-level", "info", "log level: debug, info, warn, error")
	heartbeat := fs.Duration("sse-heartbeat", 15*time.Second, "idle interval between heartbeat comments on event streams")
	sseWrite := fs.Duration("sse-write-timeout", 10*time.Second, "time one event write may take before the stream is cut")
	sseBuffer := fs.Int("sse-buffer", 256, "events a stream subscriber may lag behind before it is dropped")
	maxStreams := fs.Int("max-streams", 1000, "concurrent event streams; more get 503")

	var s settings
	fs.Validate("listen-addr", func() error { return config.HostPort(*addr) })
	fs.Validate("replication", func() (err error) { s.replication, err = cassandra.ParseReplication(*repl); return err })
	for name, d := range map[string]*time.Duration{
		"connect-timeout": connect, "ready-timeout": ready, "read-header-timeout": readHeader,
		"read-timeout": read, "write-timeout": write, "idle-timeout": idle, "shutdown-timeout": shutdown,
		"sse-heartbeat": heartbeat, "sse-write-timeout": sseWrite,
	} {
		fs.Validate(name, func() error { return config.Positive(*d) })
	}
	fs.Validate("max-header-bytes", func() error { return config.Positive(*maxHeader) })
	fs.Validate("sse-buffer", func() error { return config.Positive(*sseBuffer) })
	fs.Validate("max-streams", func() error { return config.Positive(*maxStreams) })
	fs.Validate("log-level", func() error { return s.logLevel.UnmarshalText([]byte(*level)) })
	if err := fs.Parse(args); err != nil {
		return settings{}, err
	}
	if fs.NArg() > 0 {
		return settings{}, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	s.server = httpx.ServerConfig{
		Addr: *addr, ReadHeaderTimeout: *readHeader, ReadTimeout: *read, WriteTimeout: *write,
		IdleTimeout: *idle, MaxHeaderBytes: *maxHeader, ShutdownTimeout: *shutdown,
	}
	s.migrateOnStart = *migrate
	s.connectTimeout = *connect
	s.readyTimeout = *ready
	s.stream = streamConfig{
		StreamConfig: sse.StreamConfig{Heartbeat: *heartbeat, WriteTimeout: *sseWrite},
		MaxStreams:   *maxStreams,
	}
	s.streamBuffer = *sseBuffer
	return s, nil
}

func main() {
	os.Exit(run(os.Args[1:], os.LookupEnv, os.Stderr))
}

// run is main without the process exit: it returns the exit code (0 ok,
// 1 failure, 2 bad usage).
func run(args []string, lookup func(string) (string, bool), stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve", "migrate", "seed", "health":
	default:
		fmt.Fprintf(stderr, "%s: unknown command %q (want serve, migrate, seed or health)\n", serviceName, cmd)
		return 2
	}
	s, err := parseSettings(serviceName+" "+cmd, args, lookup, stderr)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(stderr, "\nCassandra: %s (required), %s (default %s), %s, %s, %s, %s\n",
			cassandra.EnvHosts, cassandra.EnvKeyspace, defaultKeyspace, cassandra.EnvConsistency,
			cassandra.EnvLocalDC, cassandra.EnvTimeout, cassandra.EnvNumConns)
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", serviceName, err)
		return 2
	}
	if cmd == "health" {
		if err := httpx.ProbeHealthz(context.Background(), s.server.Addr, 3*time.Second); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		return 0
	}

	logger := httpx.NewJSONLogger(stderr, s.logLevel)
	slog.SetDefault(logger)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	cfg, err := cassandra.FromEnv(defaultKeyspace)
	if err != nil {
		logger.Error("bad Cassandra settings", "error", err)
		return 2
	}
	switch cmd {
	case "migrate", "seed":
		err = migrateAndSeed(ctx, cfg, s, cmd == "seed", logger)
	default:
		err = serve(ctx, cfg, s, logger)
	}
	if err != nil {
		logger.Error(serviceName+" "+cmd+" failed", "error", err)
		return 1
	}
	return 0
}

// migrateAndSeed applies the schema and, for `seed`, loads the demo data.
func migrateAndSeed(ctx context.Context, cfg cassandra.Config, s settings, withSeed bool, logger *slog.Logger) error {
	ctx, cancel := context.WithTimeout(ctx, s.connectTimeout)
	defer cancel()
	session, err := connect(ctx, cfg, s.replication, true, logger)
	if err != nil {
		return err
	}
	defer session.Close()
	logger.Info("schema applied", "keyspace", cfg.Keyspace, "replication", s.replication.String())
	if !withSeed {
		return nil
	}
	if err := seed(ctx, newCassandraStore(session)); err != nil {
		return err
	}
	logger.Info("seed data loaded", "keyspace", cfg.Keyspace)
	return nil
}

// serve connects to Cassandra and serves the API until ctx ends.
func serve(ctx context.Context, cfg cassandra.Config, s settings, logger *slog.Logger) error {
	cctx, cancel := context.WithTimeout(ctx, s.connectTimeout)
	session, err := connect(cctx, cfg, s.replication, s.migrateOnStart, logger)
	cancel()
	if err != nil {
		return err
	}
	defer session.Close()
	check := httpx.Check{Name: "cassandra", Fn: func(ctx context.Context) error { return pingCassandra(ctx, session) }}
	events := sse.NewBroker(s.streamBuffer)
	defer events.Close()
	handler := routes(deps{
		store:        newCassandraStore(session),
		events:       events,
		stream:       s.stream,
		readyTimeout: s.readyTimeout,
		checks:       []httpx.Check{check},
	}, httpx.NewRegistry(), logger)
	logger.Info(serviceName+" starting", "keyspace", cfg.Keyspace, "cassandra_hosts", cfg.Hosts)
	return httpx.Serve(ctx, s.server, handler, logger)
}

// connect opens a session bound to cfg.Keyspace, first applying the schema
// when migrate is set. Cassandra often starts after the services (compose,
// a fresh cluster), so it retries with backoff until ctx ends rather than
// failing at the first refusal.
func connect(ctx context.Context, cfg cassandra.Config, repl cassandra.Replication, migrate bool, logger *slog.Logger) (*gocql.Session, error) {
	delay := 500 * time.Millisecond
	for {
		var (
			session *gocql.Session
			err     error
		)
		if migrate {
			session, err = cassandra.ConnectMigrated(ctx, cfg, repl, schemaFS)
		} else {
			session, err = cassandra.Connect(ctx, cfg)
		}
		if err == nil {
			return session, nil
		}
		if errors.Is(err, cassandra.ErrChecksum) {
			return nil, err // a changed migration will not fix itself
		}
		logger.Warn("Cassandra not reachable yet; retrying", "error", err, "retry_in", delay.String())
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("give up reaching Cassandra: %w", err)
		case <-time.After(delay):
		}
		delay = min(delay*2, 10*time.Second)
	}
}

// pingCassandra is the readiness check: the cheapest query that needs a
// live coordinator.
func pingCassandra(ctx context.Context, s *gocql.Session) error {
	var v string
	if err := s.Query(`SELECT release_version FROM system.local`).WithContext(ctx).Scan(&v); err != nil {
		return fmt.Errorf("query system.local: %w", err)
	}
	return nil
}
