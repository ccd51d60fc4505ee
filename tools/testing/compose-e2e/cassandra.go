package main

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/gocql/gocql"

	"github.com/find-peers/find-peers/libs/cassandra"
)

// cassandraSecurityCheck proves the stack's Cassandra is secure, from the
// host at the node's container address (podman's bridge is routed to the
// host; nothing of Cassandra is published), with tracking's own login: the
// CA and password files mounted into the tracking container. Each refusal
// is preceded by the same connection succeeding with the right settings,
// so a refusal cannot come from an unreachable node. system_auth must be
// replicated to every one of the nodes.
func cassandraSecurityCheck(ctx context.Context, nodes int) error {
	ip, err := podmanFormat("{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", "find-peers-cassandra-1")
	if err != nil {
		return err
	}
	ca, err := mountSource("find-peers-tracking-1", "/run/secrets/ca.pem")
	if err != nil {
		return err
	}
	pwFile, err := mountSource("find-peers-tracking-1", "/run/secrets/tracking.password")
	if err != nil {
		return err
	}
	pw, err := cassandra.ReadPasswordFile(pwFile)
	if err != nil {
		return err
	}
	good := cassandra.Config{Hosts: []string{ip}, Timeout: 10 * time.Second, ConnectTimeout: 5 * time.Second, NumConns: 1,
		Security: cassandra.Security{Username: "tracking", Password: pw, TLSCA: ca, TLSServerName: "cassandra"}}
	if err := ownKeyspaceOnly(ctx, good, nodes); err != nil {
		return err
	}
	plain := good
	plain.TLSCA, plain.TLSServerName = "", ""
	if err := refused(ctx, plain, "a plain-text connection (right password)", ""); err != nil {
		return err
	}
	wrong := good
	wrong.Password = pw + "x"
	if err := refused(ctx, wrong, "TLS with a wrong password", "incorrect"); err != nil {
		return err
	}
	def := good
	def.Username, def.Password = cassandra.DefaultSuperuser, cassandra.DefaultSuperuser
	return refused(ctx, def, "the default superuser cassandra/cassandra", "incorrect")
}

// ownKeyspaceOnly: tracking's role reads its own table and is refused
// beacon's (Unauthorized, not merely an error); system_auth has a replica
// on each node.
func ownKeyspaceOnly(ctx context.Context, cfg cassandra.Config, nodes int) error {
	s, err := cassandra.Connect(ctx, cfg)
	if err != nil {
		return fmt.Errorf("tracking's role over TLS: %w", err)
	}
	defer s.Close()
	var repl map[string]string
	if err := s.Query("SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = 'system_auth'").
		WithContext(ctx).Scan(&repl); err != nil {
		return fmt.Errorf("system_auth replication: %w", err)
	}
	if rf := repl["replication_factor"] + repl["datacenter1"]; rf != strconv.Itoa(nodes) {
		return fmt.Errorf("system_auth replication %v: want %d replicas, one per node", repl, nodes)
	}
	fmt.Printf("    system_auth replicated to all %d node(s): %v\n", nodes, repl)
	if err := s.Query("SELECT beacon_id FROM tracking_service.users_by_beacon LIMIT 1").WithContext(ctx).Exec(); err != nil {
		return fmt.Errorf("tracking's role cannot read its own table: %w", err)
	}
	fmt.Println("    tracking's role over TLS reads tracking_service.users_by_beacon")
	err = s.Query("SELECT * FROM beacon_service.beacons_by_id LIMIT 1").WithContext(ctx).Exec()
	var re gocql.RequestError
	if !errors.As(err, &re) || re.Code() != gocql.ErrCodeUnauthorized {
		return fmt.Errorf("tracking's role reading beacon_service.beacons_by_id: got %v, want Unauthorized", err)
	}
	fmt.Printf("    tracking's role is refused beacon_service.beacons_by_id: %s\n", firstLine(re.Message()))
	return nil
}

// refused: connecting with cfg must fail (with want in the error, if set).
func refused(ctx context.Context, cfg cassandra.Config, what, want string) error {
	cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	s, err := cassandra.Connect(cctx, cfg)
	if err == nil {
		s.Close()
		return fmt.Errorf("%s was accepted", what)
	}
	if want != "" && !strings.Contains(err.Error(), want) {
		return fmt.Errorf("%s failed, but not as refused (want %q): %v", what, want, err)
	}
	fmt.Printf("    refused: %s (%s)\n", what, firstLine(err.Error()))
	return nil
}

func podmanFormat(format, container string) (string, error) {
	out, err := exec.Command("podman", "inspect", "--format", format, container).Output()
	v := strings.TrimSpace(string(out))
	if err != nil || v == "" {
		return "", fmt.Errorf("podman inspect %s: %q %v", container, v, err)
	}
	return v, nil
}

// mountSource is the host file bind-mounted at target in container.
func mountSource(container, target string) (string, error) {
	return podmanFormat(`{{range .Mounts}}{{if eq .Destination "`+target+`"}}{{.Source}}{{end}}{{end}}`, container)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 160 {
		s = s[:160] + "..."
	}
	return s
}
