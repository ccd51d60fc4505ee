package launcher

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Node is one running Cassandra process as recorded in the state file.
type Node struct {
	Index       int    `json:"index"`
	Host        string `json:"host"`
	CQLPort     int    `json:"cqlPort"`
	StoragePort int    `json:"storagePort"`
	JMXPort     int    `json:"jmxPort"`
	PID         int    `json:"pid"`
	Dir         string `json:"dir"`
}

// nodes lays the cluster out: node i listens on 127.0.0.i, its JMX port is
// JMXPort+i-1 (on 127.0.0.1).
func (o Options) nodes() []Node {
	nodes := make([]Node, o.Nodes)
	for i := range nodes {
		nodes[i] = Node{Index: i + 1, Host: fmt.Sprintf("127.0.0.%d", i+1), CQLPort: o.CQLPort,
			StoragePort: o.StoragePort, JMXPort: o.JMXPort + i, Dir: layoutFor(o.Dir, i+1).Dir}
	}
	return nodes
}

// Addr is host:port of the node's CQL endpoint.
func (n Node) Addr() string { return net.JoinHostPort(n.Host, strconv.Itoa(n.CQLPort)) }

// SystemLog is Cassandra's own log of the node.
func (n Node) SystemLog() string { return filepath.Join(n.Dir, "logs", "system.log") }

// StdoutLog captures the JVM's stdout and stderr.
func (n Node) StdoutLog() string { return filepath.Join(n.Dir, "logs", "stdout.log") }

// Cluster is the content of the state file: what Stop and Status act on.
type Cluster struct {
	Version string `json:"version"`
	Nodes   []Node `json:"nodes"`
	// Secure: TLS, PasswordAuthenticator and roles (Options.Secure).
	Secure bool `json:"secure,omitempty"`
}

// Hosts is the value for CASSANDRA_HOSTS: comma-separated host:port.
func (c Cluster) Hosts() string {
	addrs := make([]string, len(c.Nodes))
	for i, n := range c.Nodes {
		addrs[i] = n.Addr()
	}
	return strings.Join(addrs, ",")
}

const stateName = "cluster.json"

// ReadState loads DIR/cluster.json; os.ErrNotExist means nothing was started.
func ReadState(dir string) (Cluster, error) {
	var c Cluster
	b, err := os.ReadFile(filepath.Join(dir, stateName))
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("read %s: %w", filepath.Join(dir, stateName), err)
	}
	return c, nil
}

func writeState(dir string, c Cluster) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, stateName+".tmp")
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	return os.Rename(tmp, filepath.Join(dir, stateName))
}

// Alive reports whether the node's recorded pid is still a Cassandra JVM. The
// command line check guards against a recycled pid belonging to something else.
func (n Node) Alive() bool {
	if n.PID <= 0 || syscall.Kill(n.PID, 0) != nil {
		return false
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", n.PID))
	if errors.Is(err, os.ErrNotExist) {
		return false
	}
	// Without /proc (not Linux) trust kill(0).
	return err != nil || strings.Contains(string(cmdline), mainClass)
}
