package cassandratest

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/find-peers/find-peers/libs/cassandra"
	"github.com/find-peers/find-peers/libs/cassandra/launcher"
	"github.com/find-peers/find-peers/libs/rloc"
)

// jarsRunfile is one jar of @cassandra_jars (bazel/cassandra.bzl). This
// library carries the jars as data, so they are in the runfiles of every
// Bazel test that uses it; there, and only there, this file exists.
const jarsRunfile = "cassandra_jars/lib/cassandra-all-" + launcher.Version + ".jar"

// bazelJars returns the directory of the pinned jars in the runfiles, if any.
func bazelJars() (string, bool) {
	if os.Getenv("TEST_SRCDIR") == "" && os.Getenv("RUNFILES_DIR") == "" {
		return "", false
	}
	p, err := rloc.Path(jarsRunfile)
	if err != nil {
		return "", false
	}
	return filepath.Dir(p), true
}

// The private node's dir (for Main to remove) and its cluster dir (to stop).
var privateDir, privateCluster string

// nodeDir makes the private node's dir in TEST_TMPDIR, which Bazel cleans.
// (Under tools/bazel the chroot's root is a mount point of its own, so Java
// can tell the file system, which Cassandra checks at startup; the launcher
// says so when it cannot.)
func nodeDir() (string, error) {
	root := os.Getenv("TEST_TMPDIR")
	if root == "" {
		root = os.TempDir()
	}
	return os.MkdirTemp(root, "cassandra-")
}

// startPrivate starts a single node for this test binary alone, in
// TEST_TMPDIR (see nodeDir). The JVM dies with the binary even if it is killed
// (DieWithParent), and Main stops it when the tests are done. A port taken
// by someone else between the check and the JVM's bind fails the start; a
// retry then picks other ports.
func startPrivate(lib string) ([]string, error) {
	dir, err := nodeDir()
	if err != nil {
		return nil, err
	}
	privateDir, privateCluster = dir, filepath.Join(dir, "cluster")
	fmt.Fprintf(os.Stderr, "cassandratest: %s unset; starting a private node in %s\n", cassandra.EnvHosts, dir)
	for attempt := 1; ; attempt++ {
		cql, storage, jmx := randomPorts()
		c, err := launcher.Start(context.Background(), launcher.Options{
			Nodes: 1, Dir: privateCluster, Lib: lib, CQLPort: cql, StoragePort: storage, JMXPort: jmx,
			DieWithParent: true, Log: os.Stderr,
		})
		if err == nil {
			return strings.Split(c.Hosts(), ","), nil
		}
		_ = launcher.Stop(privateCluster, 0, io.Discard)
		if attempt == 3 || !strings.Contains(err.Error(), "already in use") {
			return nil, fmt.Errorf("start a private Cassandra: %w", err)
		}
		if err := os.RemoveAll(privateCluster); err != nil {
			return nil, err
		}
	}
}

// randomPorts picks three distinct ports in 20000-26999: below Linux's
// ephemeral range (32768-60999), so no outgoing connection or port-0
// listener (the e2e services) holds one by chance, and clear of the fixed
// ports of the project's tools (the demo's 9042/7000/7199, 17000-19042 and
// 27000-29042 of the cluster check and the benchmark). Two test targets
// drawing the same port is unlikely and caught: Start checks each port, and
// a node that loses a race to bind fails to start; either way, a retry.
func randomPorts() (cql, storage, jmx int) {
	p := rand.Perm(27000 - 20000)
	return 20000 + p[0], 20000 + p[1], 20000 + p[2]
}

// Main runs a package's tests; call it from TestMain in every package that
// uses this one. It stops the private node Hosts may have started for this
// test binary and removes its data once the tests are done. (Should the
// binary die first, the kernel kills the node with it.)
func Main(m *testing.M) {
	code := m.Run()
	if err := stopSecure(); err != nil {
		fmt.Fprintf(os.Stderr, "cassandratest: stop the private secure node: %v\n", err)
		code = max(code, 1)
	}
	if privateDir != "" {
		// The data is thrown away: no need for a graceful drain.
		if err := launcher.Stop(privateCluster, 0, os.Stderr); err != nil {
			fmt.Fprintf(os.Stderr, "cassandratest: stop the private node: %v\n", err)
			code = max(code, 1)
		}
		os.RemoveAll(privateDir)
	}
	os.Exit(code)
}
