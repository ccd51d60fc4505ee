// Package cassandratest gives integration tests a real Cassandra: each test
// gets a fresh, migrated keyspace of its own that is dropped when it ends.
//
// The server is, in this order:
//   - the one named by CASSANDRA_HOSTS (tools/test passes it to Bazel with
//     --test_env);
//   - under `bazel test`, a private single node of the test binary, started
//     by the first test that needs it from the pinned jars in the runfiles
//     (@cassandra_jars, a data dependency of this library) on random free
//     ports in TEST_TMPDIR (see nodeDir), and stopped by Main, which every
//     package using this one calls from its TestMain. The node dies with the
//     test binary however it ends. This keeps the tests hermetic and their
//     results cacheable;
//   - under plain `go test`, a shared node started with the launcher from
//     fetched jars (`go run ./tools/cassandra fetch`) and left running for
//     the next test binaries (stop it with `go run ./tools/cassandra stop`).
//
// Either way it needs Java 17 (or 11). Without a server the test fails,
// loudly: a data layer test that silently skips proves nothing.
package cassandratest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gocql/gocql"

	"github.com/find-peers/find-peers/libs/cassandra"
	"github.com/find-peers/find-peers/libs/cassandra/launcher"
)

// EnvReplication overrides the test keyspaces' replication, e.g.
// NetworkTopologyStrategy:datacenter1=3 against the 3-node cluster.
const EnvReplication = "CASSANDRA_TEST_REPLICATION"

var (
	hostsOnce sync.Once
	hosts     []string
	hostsErr  error
)

// Hosts returns the contact points of the test server, starting one if needed.
func Hosts(t testing.TB) []string {
	t.Helper()
	hostsOnce.Do(func() { hosts, hostsErr = findOrStart(t) })
	if hostsErr != nil {
		t.Fatalf("\n\n*** NO CASSANDRA FOR INTEGRATION TESTS ***\n%v\n\n"+
			"Provide one of:\n"+
			"  - a running server: CASSANDRA_HOSTS=127.0.0.1:9042 go test ./...\n"+
			"    (start one with: go run ./tools/cassandra fetch && go run ./tools/cassandra start)\n"+
			"  - fetched jars and Java 17, and the tests start a node themselves:\n"+
			"    go run ./tools/cassandra fetch\n"+
			"    (under Bazel the jars come from @cassandra_jars; Java 17 must be installed)\n", hostsErr)
	}
	return hosts
}

func findOrStart(t testing.TB) ([]string, error) {
	if v := strings.TrimSpace(os.Getenv(cassandra.EnvHosts)); v != "" {
		return strings.Split(v, ","), nil
	}
	if lib, ok := bazelJars(); ok {
		return startPrivate(lib)
	}
	cache, err := launcher.CacheDir()
	if err != nil {
		return nil, err
	}
	if !launcher.Fetched(cache) {
		return nil, fmt.Errorf("%s is unset and the Cassandra jars are not fetched in %s", cassandra.EnvHosts, cache)
	}
	if _, _, err := launcher.Java(); err != nil {
		return nil, fmt.Errorf("%s is unset and Cassandra cannot be started: %w", cassandra.EnvHosts, err)
	}
	dir, err := launcher.DefaultClusterDir()
	if err != nil {
		return nil, err
	}
	// `go test ./...` runs several test binaries at once; the lock lets the
	// first start the node and the others find it running.
	unlock, err := lockFile(dir + ".lock")
	if err != nil {
		return nil, err
	}
	defer unlock()
	t.Logf("cassandratest: %s unset; starting (or reusing) a node in %s", cassandra.EnvHosts, dir)
	c, err := launcher.Start(context.Background(), launcher.Options{Nodes: 1, Dir: dir, Log: os.Stderr})
	if err != nil {
		return nil, fmt.Errorf("start Cassandra: %w", err)
	}
	return strings.Split(c.Hosts(), ","), nil
}

func lockFile(path string) (func(), error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}

// Config returns a client config for the test server bound to keyspace.
func Config(t testing.TB, keyspace string) cassandra.Config {
	t.Helper()
	cfg := cassandra.Config{Hosts: Hosts(t), Keyspace: keyspace, Timeout: 15 * time.Second, NumConns: 1}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// Replication is the replication of test keyspaces: SimpleStrategy:1 unless
// CASSANDRA_TEST_REPLICATION says otherwise.
func Replication(t testing.TB) cassandra.Replication {
	t.Helper()
	spec := os.Getenv(EnvReplication)
	if spec == "" {
		spec = "SimpleStrategy:1"
	}
	r, err := cassandra.ParseReplication(spec)
	if err != nil {
		t.Fatalf("%s: %v", EnvReplication, err)
	}
	return r
}

// Keyspace creates a uniquely named keyspace, applies migrations to it and
// returns a session bound to it and its name. Both are gone after the test.
func Keyspace(t testing.TB, migrations fs.FS) (*gocql.Session, string) {
	t.Helper()
	name := KeyspaceName(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := cassandra.ConnectMigrated(ctx, Config(t, name), Replication(t), migrations)
	if err != nil {
		t.Fatalf("create test keyspace %s: %v", name, err)
	}
	t.Cleanup(func() {
		s.Close()
		Drop(t, name)
	})
	return s, name
}

// Drop removes a keyspace (a test's cleanup; also usable directly).
func Drop(t testing.TB, keyspace string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin, err := cassandra.Connect(ctx, Config(t, ""))
	if err != nil {
		t.Errorf("drop keyspace %s: %v", keyspace, err)
		return
	}
	defer admin.Close()
	if err := cassandra.Write(ctx, admin, false, "DROP KEYSPACE IF EXISTS "+keyspace).Exec(); err != nil {
		t.Errorf("drop keyspace %s: %v", keyspace, err)
	}
}

var notIdent = regexp.MustCompile(`[^a-z0-9]+`)

// KeyspaceName derives a valid, unique keyspace name from the test's name,
// so leftovers of a crashed run say which test made them.
func KeyspaceName(t testing.TB) string {
	base := strings.Trim(notIdent.ReplaceAllString(strings.ToLower(t.Name()), "_"), "_")
	if len(base) > 30 {
		base = base[:30]
	}
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return "t_" + base + "_" + hex.EncodeToString(b[:])
}

// Context returns a context that ends after timeout or with the test, to
// bound a data-layer test's queries so that a wedged server fails the test
// instead of hanging it.
func Context(t testing.TB, timeout time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	return ctx
}

// TableOption returns a table's option (a column of system_schema.tables,
// e.g. "speculative_retry") as Cassandra reports it, so a test can check
// what a migration set.
func TableOption(t testing.TB, s *gocql.Session, keyspace, table, option string) string {
	t.Helper()
	var v string
	q := "SELECT " + option + " FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?"
	if err := s.Query(q, keyspace, table).Scan(&v); err != nil {
		t.Fatalf("%s of %s.%s: %v", option, keyspace, table, err)
	}
	return v
}
