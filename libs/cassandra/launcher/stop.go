package launcher

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"time"
)

// Stop sends SIGTERM to every node (Cassandra drains and flushes on it),
// waits up to grace, then SIGKILLs what is left; a grace of 0 kills at once
// (a node whose data is thrown away). A dir without a state file or without
// live nodes is not an error: stopping is idempotent.
func Stop(dir string, grace time.Duration, log io.Writer) error {
	c, err := ReadState(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	sig := syscall.SIGTERM
	if grace <= 0 {
		sig = syscall.SIGKILL
	}
	var alive []Node
	for _, n := range c.Nodes {
		if n.Alive() {
			fmt.Fprintf(log, "cassandra: stopping node%d (pid %d, %v)\n", n.Index, n.PID, sig)
			_ = syscall.Kill(n.PID, sig)
			alive = append(alive, n)
		}
	}
	deadline := time.Now().Add(grace)
	for len(alive) > 0 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		alive = stillAlive(alive)
	}
	for _, n := range alive {
		if sig != syscall.SIGKILL {
			fmt.Fprintf(log, "cassandra: node%d ignored SIGTERM for %s, killing\n", n.Index, grace)
			_ = syscall.Kill(n.PID, syscall.SIGKILL)
		}
	}
	for i := 0; i < 50 && len(stillAlive(alive)) > 0; i++ {
		time.Sleep(100 * time.Millisecond)
	}
	if left := stillAlive(alive); len(left) > 0 {
		return fmt.Errorf("node%d (pid %d) survived SIGKILL", left[0].Index, left[0].PID)
	}
	return nil
}

func stillAlive(nodes []Node) []Node {
	var out []Node
	for _, n := range nodes {
		if n.Alive() {
			out = append(out, n)
		}
	}
	return out
}

// NodeStatus is one line of Status.
type NodeStatus struct {
	Node
	Running bool   // the process exists
	Release string // release_version when it answers CQL, else ""
	Err     error  // why it does not answer
}

// Status reports each recorded node: process alive and CQL answering.
func Status(ctx context.Context, dir string) ([]NodeStatus, error) {
	c, err := ReadState(dir)
	if err != nil {
		return nil, err
	}
	a, err := accessFor(dir, c.Secure)
	if err != nil {
		return nil, err
	}
	out := make([]NodeStatus, len(c.Nodes))
	for i, n := range c.Nodes {
		s := NodeStatus{Node: n, Running: n.Alive()}
		if s.Running {
			qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			s.Release, s.Err = QueryAs(qctx, n.Addr(), a)
			cancel()
		}
		out[i] = s
	}
	return out, nil
}

// tail returns the last lines of the first of paths that has content: the
// node's system.log, or its stdout when the JVM died before logging started.
func tail(lines int, paths ...string) string {
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil || len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		all := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
		if len(all) > lines {
			all = all[len(all)-lines:]
		}
		// Cassandra logs its whole configuration as one line of ~15 kB.
		for i, l := range all {
			if len(l) > 500 {
				all[i] = l[:500] + " …"
			}
		}
		return "--- last lines of " + p + " ---\n" + strings.Join(all, "\n")
	}
	return "(the node wrote no log output)"
}
