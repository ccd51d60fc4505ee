package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// cassandraRing checks the Cassandra StatefulSet: every node sees the others
// as peers, and both keyspaces are replicated on as many nodes as there are
// (up to 3: the overlays' RF), as the overlay asks.
func cassandraRing(ctx context.Context, k kube) error {
	out, err := k.run(ctx, 30*time.Second, "get", "statefulset", "cassandra", "-o", "jsonpath={.status.readyReplicas}")
	if err != nil {
		return err
	}
	nodes, err := strconv.Atoi(strings.TrimSpace(out))
	if err != nil || nodes < 1 {
		return fmt.Errorf("cassandra: %q ready replicas", out)
	}
	for i := range nodes {
		peers, err := cql(ctx, k, i, "SELECT peer FROM system.peers")
		if err != nil {
			return err
		}
		if len(peers) != nodes-1 {
			return fmt.Errorf("cassandra-%d sees %d peers, want %d: %v", i, len(peers), nodes-1, peers)
		}
	}
	rows, err := cql(ctx, k, 0, "SELECT keyspace_name, replication FROM system_schema.keyspaces")
	if err != nil {
		return err
	}
	rf := strconv.Itoa(min(nodes, 3))
	for _, ks := range []string{"beacon_service", "tracking_service"} {
		var found string
		for _, r := range rows {
			if strings.Contains(r, "keyspace_name="+ks+" ") {
				found = r
			}
		}
		if !strings.Contains(found, ":"+rf+"]") && !strings.Contains(found, ":"+rf+" ") {
			return fmt.Errorf("keyspace %s: %q, want replication %s", ks, found, rf)
		}
	}
	fmt.Printf("    %d node(s), each sees %d peer(s); beacon_service and tracking_service replicated %s times\n", nodes, nodes-1, rf)
	return nil
}

// cql runs one query on cassandra-N with the image's minimal cqlsh and
// returns its rows (name=value ... lines).
func cql(ctx context.Context, k kube, node int, query string) ([]string, error) {
	out, err := k.run(ctx, 30*time.Second, "exec", "cassandra-"+strconv.Itoa(node), "--", "cqlsh", "-e", query)
	if err != nil {
		return nil, err
	}
	var rows []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l != "" {
			rows = append(rows, l)
		}
	}
	return rows, nil
}
