package launcher

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"strconv"
	"time"

	"github.com/gocql/gocql"
)

// quietLogger drops gocql's connection chatter while a node is still booting.
var quietLogger = log.New(io.Discard, "", 0)

// openNode connects to exactly one node, without discovering its peers, so a
// readiness check measures that node and nothing else.
func openNode(addr string, timeout time.Duration, a Access) (*gocql.Session, error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	port, _ := strconv.Atoi(portStr)
	c := gocql.NewCluster(host)
	c.Port = port
	c.Timeout = timeout
	c.ConnectTimeout = timeout
	c.DisableInitialHostLookup = true
	c.HostFilter = gocql.WhiteListHostFilter(host)
	c.NumConns = 1
	c.Consistency = gocql.One
	c.Logger = quietLogger
	if err := a.apply(c); err != nil {
		return nil, err
	}
	return c.CreateSession()
}

// Query runs `SELECT release_version FROM system.local` on one node: the proof
// that the node serves CQL, not merely that its port is open.
func Query(ctx context.Context, addr string) (string, error) {
	return QueryAs(ctx, addr, Access{})
}

// QueryAs is Query logged in with a (a secure cluster).
func QueryAs(ctx context.Context, addr string, a Access) (string, error) {
	s, err := openNode(addr, 3*time.Second, a)
	if err != nil {
		return "", err
	}
	defer s.Close()
	var v string
	err = s.Query("SELECT release_version FROM system.local").WithContext(ctx).Scan(&v)
	return v, err
}

// peersUp counts the peers a node sees as joined, from system.peers_v2.
func peersUp(ctx context.Context, addr string, a Access) (int, error) {
	s, err := openNode(addr, 3*time.Second, a)
	if err != nil {
		return 0, err
	}
	defer s.Close()
	iter := s.Query("SELECT peer FROM system.peers_v2").WithContext(ctx).Iter()
	n := 0
	var peer net.IP
	for iter.Scan(&peer) {
		n++
	}
	return n, iter.Close()
}

// waitReady polls until the node answers a query, the process dies (exited
// yields how), or ctx ends.
func waitReady(ctx context.Context, n Node, a Access, exited <-chan error) error {
	var last error
	for {
		qctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		_, err := QueryAs(qctx, n.Addr(), a)
		cancel()
		if err == nil {
			return nil
		}
		last = err
		select {
		case how := <-exited:
			if how == nil {
				how = errors.New("exit status 0")
			}
			// An exit without a line of log is most often a signal (the
			// kernel's OOM killer, or someone's kill): say which.
			return fmt.Errorf("node%d (pid %d) exited during startup (%v); last CQL error: %v", n.Index, n.PID, how, last)
		case <-ctx.Done():
			return fmt.Errorf("node%d did not answer CQL on %s: %w (last error: %v)", n.Index, n.Addr(), ctx.Err(), last)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func waitPeers(ctx context.Context, c Cluster, a Access) error {
	want := len(c.Nodes) - 1
	for {
		ok := true
		for _, n := range c.Nodes {
			got, err := peersUp(ctx, n.Addr(), a)
			if err != nil || got != want {
				ok = false
			}
		}
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("nodes do not all see %d peers in system.peers_v2: %w", want, ctx.Err())
		case <-time.After(time.Second):
		}
	}
}

func runningNodes(c Cluster) []Node {
	var up []Node
	for _, n := range c.Nodes {
		if n.Alive() {
			up = append(up, n)
		}
	}
	return up
}

func allAnswer(ctx context.Context, dir string, c Cluster) bool {
	a, err := accessFor(dir, c.Secure)
	if err != nil {
		return false
	}
	for _, n := range c.Nodes {
		qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, err := QueryAs(qctx, n.Addr(), a)
		cancel()
		if err != nil {
			return false
		}
	}
	return true
}
