package launcher

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ContainerNode describes one Cassandra node running in a container: the
// same cassandra.yaml template and JVM options as a local node, with the
// container's own address and a state directory that is a volume.
// tools/build/cassandraimage's entrypoint is the user.
type ContainerNode struct {
	ClusterName  string // cluster_name (default find-peers)
	Host         string // listen/rpc address: the container's IP
	Seed         string // seed host (name or IP); the node itself when empty
	CQLPort      int    // default 9042
	StoragePort  int    // default 7000
	JMXPort      int    // local-only JMX port, default 7199
	ReplicaCount int    // replication factor the token allocator plans for (default 1)
	Heap         string // -Xms/-Xmx, default 512M
	Lib          string // directory with the pinned jars
	StateDir     string // data, commit log, hints, ... (the volume)
	ConfDir      string // where cassandra.yaml and logback.xml are written
	// Keystore is the PEM file of the node's key and certificate; set, the
	// node is secure as `start --secure` makes it (secureYAML: client TLS
	// required, PasswordAuthenticator, CassandraAuthorizer).
	Keystore string
}

func (n *ContainerNode) defaults() error {
	if n.Host == "" || n.Lib == "" || n.StateDir == "" || n.ConfDir == "" {
		return fmt.Errorf("container node: Host, Lib, StateDir and ConfDir are required")
	}
	if n.ClusterName == "" {
		n.ClusterName = "find-peers"
	}
	if n.Seed == "" {
		n.Seed = n.Host
	}
	if n.CQLPort == 0 {
		n.CQLPort = 9042
	}
	if n.StoragePort == 0 {
		n.StoragePort = 7000
	}
	if n.JMXPort == 0 {
		n.JMXPort = 7199
	}
	if n.ReplicaCount == 0 {
		n.ReplicaCount = 1
	}
	if n.Heap == "" {
		n.Heap = "512M"
	}
	return nil
}

func (n ContainerNode) layout() nodeLayout {
	return nodeLayout{
		Dir:         n.StateDir,
		Conf:        n.ConfDir,
		Data:        filepath.Join(n.StateDir, "data"),
		CommitLog:   filepath.Join(n.StateDir, "commitlog"),
		SavedCaches: filepath.Join(n.StateDir, "saved_caches"),
		Hints:       filepath.Join(n.StateDir, "hints"),
		CDC:         filepath.Join(n.StateDir, "cdc_raw"),
		Logs:        filepath.Join(n.StateDir, "logs"),
	}
}

// isSeed reports whether the node is its cluster's seed (compares the
// configured seed with the node's address; a host name that resolves to the
// node counts too when the caller resolved it into Seed).
func (n ContainerNode) isSeed() bool {
	return n.Seed == n.Host || strings.EqualFold(n.Seed, "localhost")
}

// PrepareContainer creates the node's directories and writes its
// cassandra.yaml, then returns the JVM arguments (without the java binary)
// that start it. logback.xml is left to the caller (containers log to stdout).
func PrepareContainer(n ContainerNode) ([]string, error) {
	if err := n.defaults(); err != nil {
		return nil, err
	}
	l := n.layout()
	for _, d := range []string{l.Conf, l.Data, l.CommitLog, l.SavedCaches, l.Hints, l.CDC, l.Logs} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("create %s: %w", d, err)
		}
	}
	if err := writeYAML(filepath.Join(l.Conf, "cassandra.yaml"), yamlParams{
		ClusterName: n.ClusterName, Host: n.Host, Seed: n.Seed,
		CQLPort: n.CQLPort, StoragePort: n.StoragePort, ReplicaCount: n.ReplicaCount, L: l,
		Secure: n.Keystore != "", TLS: TLSFiles{Keystore: n.Keystore},
	}); err != nil {
		return nil, err
	}
	return jvmArgs(jvmParams{Lib: n.Lib, Heap: n.Heap, JMXPort: n.JMXPort, Seed: n.isSeed(), L: l}), nil
}
