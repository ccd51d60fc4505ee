package cassandratest

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/find-peers/find-peers/libs/cassandra"
	"github.com/find-peers/find-peers/libs/cassandra/launcher"
)

// EnvSecureDir names the cluster dir of a running secure cluster
// (`go run ./tools/cassandra start --secure --dir D`) for the tests of
// authentication, TLS and roles. Unset, the first such test starts a
// private secure node for the test binary (as Hosts does under Bazel),
// from Bazel's jars or the fetched ones, which Main stops.
const EnvSecureDir = "CASSANDRA_SECURE_DIR"

// SecureCluster is a cluster that requires TLS and logins.
type SecureCluster struct {
	Dir   string
	Hosts []string
	CA    string // CASSANDRA_TLS_CA
}

var (
	secureOnce sync.Once
	secure     SecureCluster
	secureErr  error
	// secureOwned is the dir of the private secure node, for Main.
	secureOwned string
)

// Secure returns the secure test cluster, starting a private one if
// EnvSecureDir is unset; without one the test fails.
func Secure(t testing.TB) SecureCluster {
	t.Helper()
	secureOnce.Do(func() { secure, secureErr = findOrStartSecure() })
	if secureErr != nil {
		t.Fatalf("\n\n*** NO SECURE CASSANDRA FOR INTEGRATION TESTS ***\n%v\n\n"+
			"Provide one: go run ./tools/cassandra start --secure --dir D, then %s=D go test ...\n"+
			"or fetched jars and Java 17 (go run ./tools/cassandra fetch)\n", secureErr, EnvSecureDir)
	}
	return secure
}

func findOrStartSecure() (SecureCluster, error) {
	dir := strings.TrimSpace(os.Getenv(EnvSecureDir))
	if dir == "" {
		var err error
		if dir, err = startPrivateSecure(); err != nil {
			return SecureCluster{}, err
		}
	}
	c, err := launcher.ReadState(dir)
	if err != nil {
		return SecureCluster{}, err
	}
	if !c.Secure {
		return SecureCluster{}, fmt.Errorf("%s=%s is not a secure cluster (start it with --secure)", EnvSecureDir, dir)
	}
	return SecureCluster{Dir: dir, Hosts: strings.Split(c.Hosts(), ","), CA: launcher.CAFile(dir)}, nil
}

// startPrivateSecure starts a secure single node for this test binary on
// random ports (see startPrivate).
func startPrivateSecure() (string, error) {
	lib, ok := bazelJars()
	if !ok {
		cache, err := launcher.CacheDir()
		if err != nil {
			return "", err
		}
		if !launcher.Fetched(cache) {
			return "", fmt.Errorf("%s is unset and the Cassandra jars are not fetched in %s", EnvSecureDir, cache)
		}
		lib = launcher.LibDir(cache)
	}
	root, err := nodeDir()
	if err != nil {
		return "", err
	}
	secureOwned = root
	dir := filepath.Join(root, "cluster")
	fmt.Fprintf(os.Stderr, "cassandratest: %s unset; starting a private secure node in %s\n", EnvSecureDir, dir)
	for attempt := 1; ; attempt++ {
		cql, storage, jmx := randomPorts()
		_, err := launcher.Start(context.Background(), launcher.Options{
			Nodes: 1, Dir: dir, Lib: lib, CQLPort: cql, StoragePort: storage, JMXPort: jmx,
			DieWithParent: true, Secure: true, Log: os.Stderr,
		})
		if err == nil {
			return dir, nil
		}
		_ = launcher.Stop(dir, 0, io.Discard)
		if attempt == 3 || !strings.Contains(err.Error(), "already in use") {
			return "", fmt.Errorf("start a private secure Cassandra: %w", err)
		}
		if err := os.RemoveAll(dir); err != nil {
			return "", err
		}
	}
}

// stopSecure stops the private secure node, if any (Main).
func stopSecure() error {
	if secureOwned == "" {
		return nil
	}
	defer os.RemoveAll(secureOwned)
	return launcher.Stop(filepath.Join(secureOwned, "cluster"), 0, os.Stderr)
}

// Config returns a client config logged in with user and password and
// trusting the cluster's CA.
func (s SecureCluster) Config(keyspace, user string, password cassandra.Secret) cassandra.Config {
	return cassandra.Config{Hosts: s.Hosts, Keyspace: keyspace, Timeout: 15 * time.Second, NumConns: 1,
		Security: cassandra.Security{Username: user, Password: password, TLSCA: s.CA}}
}

// Admin returns the config of the cluster's superuser.
func (s SecureCluster) Admin(t testing.TB, keyspace string) cassandra.Config {
	t.Helper()
	a, err := launcher.AdminAccess(s.Dir)
	if err != nil {
		t.Fatal(err)
	}
	return s.Config(keyspace, a.Username, cassandra.Secret(a.Password))
}

// Role provisions a fresh role that owns a fresh keyspace (both dropped
// after the test) and returns the role's config bound to that keyspace.
func (s SecureCluster) Role(t testing.TB) cassandra.Config {
	t.Helper()
	ks := KeyspaceName(t)
	role := "r" + ks
	if len(role) > 48 {
		role = role[:48]
	}
	password := cassandra.Secret(ks + "-pw")
	ctx := Context(t, time.Minute)
	admin, err := cassandra.Connect(ctx, s.Admin(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if err := cassandra.Provision(ctx, admin, ks, Replication(t), role, password); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		admin, err := cassandra.Connect(ctx, s.Admin(t, ""))
		if err != nil {
			t.Errorf("drop role %s: %v", role, err)
			return
		}
		defer admin.Close()
		for _, stmt := range []string{"DROP KEYSPACE IF EXISTS " + ks, "DROP ROLE IF EXISTS " + role} {
			if err := admin.Query(stmt).WithContext(ctx).Exec(); err != nil {
				t.Errorf("%s: %v", stmt, err)
			}
		}
	})
	return s.Config(ks, role, password)
}
