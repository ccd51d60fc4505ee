package cassandra

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/gocql/gocql"
)

// Connect opens a session: token-aware routing (a request goes straight to a
// replica of its partition) over DC-aware round robin (nodes of LocalDC
// first), the idempotent-only retry policy, and the config's timeouts. ctx
// bounds the connection attempt. The token-aware routing reads the
// keyspace's metadata just after the session is returned (see lazyRouting);
// until then requests go round robin.
func Connect(ctx context.Context, cfg Config) (*gocql.Session, error) {
	s, _, err := connect(ctx, cfg)
	return s, err
}

// connect is Connect, also returning the session's routing policy (for the
// tests: whether its token-aware part has started).
func connect(ctx context.Context, cfg Config) (*gocql.Session, *lazyRouting, error) {
	if err := cfg.Validate(); err != nil {
		return nil, nil, err
	}
	c := gocql.NewCluster()
	for _, h := range cfg.Hosts {
		host, port, _ := splitHostPort(h)
		// gocql has one port per cluster but accepts host:port contact points.
		c.Hosts = append(c.Hosts, fmt.Sprintf("%s:%d", host, port))
	}
	c.Keyspace = cfg.Keyspace
	c.Consistency = cfg.Consistency
	c.Timeout = cfg.Timeout
	c.ConnectTimeout = cfg.ConnectTimeout
	c.NumConns = cfg.NumConns
	routing := newLazyRouting(gocql.DCAwareRoundRobinPolicy(cfg.LocalDC))
	c.PoolConfig.HostSelectionPolicy = routing
	c.RetryPolicy = newRetryPolicy()
	c.ProtoVersion = 4 // Cassandra 3+; skips gocql's version probing round trip
	obs := cfg.Observer
	if obs == nil {
		obs = &Observer{}
	}
	c.QueryObserver, c.BatchObserver, c.ConnectObserver = obs, obs, obs
	if err := cfg.Apply(c); err != nil {
		return nil, nil, err
	}
	type result struct {
		s   *gocql.Session
		err error
	}
	done := make(chan result, 1)
	// CreateSession takes no context; run it aside so ctx can abandon it.
	go func() { s, err := c.CreateSession(); done <- result{s, err} }()
	select {
	case r := <-done:
		if r.err != nil {
			return nil, nil, fmt.Errorf("connect to Cassandra %v (keyspace %q): %w", cfg.Hosts, cfg.Keyspace, r.err)
		}
		go routing.start()
		return r.s, routing, nil
	case <-ctx.Done():
		go func() {
			if r := <-done; r.s != nil {
				r.s.Close()
			}
		}()
		return nil, nil, fmt.Errorf("connect to Cassandra %v: %w", cfg.Hosts, ctx.Err())
	}
}

// ConnectMigrated creates and migrates cfg.Keyspace (through a keyspace-less
// session, as the keyspace may not exist yet), then returns a session bound
// to it. It is what a service's `migrate` step and the tests use.
func ConnectMigrated(ctx context.Context, cfg Config, repl Replication, migrations fs.FS) (*gocql.Session, error) {
	admin := cfg
	admin.Keyspace = ""
	s, err := Connect(ctx, admin)
	if err != nil {
		return nil, err
	}
	err = Migrate(ctx, s, cfg.Keyspace, repl, migrations)
	s.Close()
	if errors.Is(err, ErrNoKeyspace) && cfg.Username != "" {
		return nil, fmt.Errorf("role %s: %w", cfg.Username, err)
	}
	if err != nil {
		return nil, err
	}
	return Connect(ctx, cfg)
}
