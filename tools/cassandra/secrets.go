package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/find-peers/find-peers/libs/cassandra/launcher"
)

// composeSecrets writes, once, what tools/stack-up mounts into the compose
// stack's containers, and reuses it on later runs:
//
//	DIR/ca.pem              the CA certificate (clients' CASSANDRA_TLS_CA)
//	DIR/node.pem            the nodes' key and certificate, one for every --hosts name
//	DIR/<role>.password     a random password per --roles entry
//
// Modes: DIR is 0700 and the files in it 0644. The containers run as
// non-root users (Cassandra 999, the services 65532) that do not own the
// files, and each bind-mounts only the single files it needs, read-only:
// 0644 lets them read those, while the 0700 directory keeps the host's other
// users out. (podman's :U would chown a file to one container user, but the
// CA is read by both users, and it would change the host files' owner.)
// Nothing secret is printed.
func composeSecrets(args []string) error {
	fs := flag.NewFlagSet("compose-secrets", flag.ExitOnError)
	dir := fs.String("dir", "", "secrets directory (created 0700)")
	hosts := fs.String("hosts", "cassandra,cassandra-2,cassandra-3", "names the node certificate is valid for")
	roles := fs.String("roles", launcher.AdminRole+",beacon,tracking", "roles to make a password for")
	fs.Parse(args)
	if *dir == "" {
		return errors.New("--dir is required")
	}
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		return err
	}
	if err := os.Chmod(*dir, 0o700); err != nil {
		return err
	}
	files := []string{filepath.Join(*dir, "ca.pem"), filepath.Join(*dir, "node.pem")}
	if err := launcher.WriteNodeCerts(launcher.TLSFiles{CA: files[0], Keystore: files[1]}, nil, strings.Split(*hosts, ",")); err != nil {
		return fmt.Errorf("certificates: %w", err)
	}
	for _, r := range strings.Split(*roles, ",") {
		p := filepath.Join(*dir, r+".password")
		if _, err := launcher.ReadOrMakePassword(p); err != nil {
			return fmt.Errorf("password of %s: %w", r, err)
		}
		files = append(files, p)
	}
	for _, f := range files {
		if err := os.Chmod(f, 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "cassandra: secrets in %s (0700): %d files\n", *dir, len(files))
	return nil
}
