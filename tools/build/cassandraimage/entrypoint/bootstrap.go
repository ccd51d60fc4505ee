package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/find-peers/find-peers/libs/cassandra"
)

// bootstrap is the compose stack's one-shot cassandra-init job:
//
//	cassandra-entrypoint bootstrap [--auth-replication R] [--replication R]
//	                               [--passwords DIR] [--timeout D] ROLE=KEYSPACE...
//
// It reaches the cluster with the client settings of libs/cassandra
// (CASSANDRA_HOSTS, CASSANDRA_TLS_CA, ...), where CASSANDRA_USERNAME and
// CASSANDRA_PASSWORD_FILE name the admin role to be: it replaces the
// default superuser with that role (cassandra.ReplaceSuperuser), then gives
// each ROLE its own KEYSPACE (cassandra.Provision) with the password in
// DIR/ROLE.password. Every step is idempotent: rerun on a bootstrapped
// cluster, it logs in as the admin and changes nothing (or sets a rotated
// password).
func bootstrap(args []string) int {
	if err := runBootstrap(args); err != nil {
		fmt.Fprintln(os.Stderr, "bootstrap:", err)
		return 1
	}
	return 0
}

type grant struct{ role, keyspace string }

func runBootstrap(args []string) error {
	fs := flag.NewFlagSet("bootstrap", flag.ContinueOnError)
	authSpec := fs.String("auth-replication", "SimpleStrategy:1", "replication of system_auth (the logins)")
	replSpec := fs.String("replication", "SimpleStrategy:1", "replication of a keyspace created here")
	dir := fs.String("passwords", "/run/secrets", "directory of the ROLE.password files")
	timeout := fs.Duration("timeout", 5*time.Minute, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return err
	}
	grants, err := parseGrants(fs.Args())
	if err != nil {
		return err
	}
	authRepl, err := cassandra.ParseReplication(*authSpec)
	if err != nil {
		return err
	}
	repl, err := cassandra.ParseReplication(*replSpec)
	if err != nil {
		return err
	}
	cfg, err := cassandra.FromEnv("")
	if err != nil {
		return err
	}
	if cfg.Username == "" || !cfg.TLS() {
		return errors.New("set CASSANDRA_USERNAME, CASSANDRA_PASSWORD_FILE (the admin role) and CASSANDRA_TLS_CA")
	}
	cfg.Timeout = 15 * time.Second // schema and role changes wait for every node
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	admin, err := cassandra.ReplaceSuperuser(ctx, cfg, authRepl, os.Stderr)
	if err != nil {
		return err
	}
	defer admin.Close()
	for _, g := range grants {
		pw, err := cassandra.ReadPasswordFile(filepath.Join(*dir, g.role+".password"))
		if err != nil {
			return fmt.Errorf("role %s: %w", g.role, err)
		}
		if err := cassandra.Provision(ctx, admin, g.keyspace, repl, g.role, pw); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "bootstrap: role %s may use keyspace %s and nothing else\n", g.role, g.keyspace)
	}
	return nil
}

// parseGrants reads ROLE=KEYSPACE arguments (the names are checked by
// Provision).
func parseGrants(args []string) ([]grant, error) {
	var gs []grant
	for _, a := range args {
		role, ks, ok := strings.Cut(a, "=")
		if !ok || role == "" || ks == "" {
			return nil, fmt.Errorf("argument %q: want ROLE=KEYSPACE", a)
		}
		gs = append(gs, grant{role, ks})
	}
	return gs, nil
}
