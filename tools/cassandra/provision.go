package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/find-peers/find-peers/libs/cassandra"
	"github.com/find-peers/find-peers/libs/cassandra/launcher"
)

// provision gives a service its own role on a secure cluster started by
// `start --secure`: see cassandra.Provision. The password is read from
// --password-file, or, when that file does not exist, made up and written
// there (0600), so a script can provision and hand the file to the service.
func provision(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("provision", flag.ExitOnError)
	dir := fs.String("dir", defaultDir(), "cluster dir of a secure cluster")
	keyspace := fs.String("keyspace", "", "the service's keyspace (created if missing)")
	role := fs.String("role", "", "the service's role (created, or its password changed)")
	pwFile := fs.String("password-file", "", "the role's password; made up if the file does not exist")
	replSpec := fs.String("replication", "", "replication of a new keyspace (default SimpleStrategy:<nodes>)")
	fs.Parse(args)
	if *keyspace == "" || *role == "" || *pwFile == "" {
		return errors.New("--keyspace, --role and --password-file are required")
	}
	c, err := launcher.ReadState(*dir)
	if err != nil {
		return err
	}
	if !c.Secure {
		return fmt.Errorf("%s is not a secure cluster (start it with --secure)", *dir)
	}
	if *replSpec == "" {
		*replSpec = fmt.Sprintf("SimpleStrategy:%d", len(c.Nodes))
	}
	repl, err := cassandra.ParseReplication(*replSpec)
	if err != nil {
		return err
	}
	password, err := launcher.ReadOrMakePassword(*pwFile)
	if err != nil {
		return err
	}
	admin, err := launcher.AdminAccess(*dir)
	if err != nil {
		return err
	}
	cfg := cassandra.Config{Hosts: strings.Split(c.Hosts(), ","), Timeout: 15 * time.Second, NumConns: 1,
		Security: cassandra.Security{Username: admin.Username, Password: cassandra.Secret(admin.Password), TLSCA: admin.CAFile}}
	s, err := cassandra.Connect(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := cassandra.Provision(ctx, s, *keyspace, repl, *role, password); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "cassandra: role %s may use keyspace %s (and nothing else)\n", *role, *keyspace)
	fmt.Printf("CASSANDRA_KEYSPACE=%s\nCASSANDRA_USERNAME=%s\nCASSANDRA_PASSWORD_FILE=%s\nCASSANDRA_TLS_CA=%s\n",
		*keyspace, *role, *pwFile, launcher.CAFile(*dir))
	return nil
}
