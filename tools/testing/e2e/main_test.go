package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/find-peers/find-peers/libs/cassandra"
	"github.com/find-peers/find-peers/libs/cassandra/cassandratest"
	"github.com/find-peers/find-peers/libs/procstack"
)

// binaries finds the service executables: under Bazel they are data
// dependencies named by *_BIN (runfiles paths, see BUILD.bazel); under
// `go test` they are built into a temporary directory.
func binaries(t *testing.T) procstack.Binaries {
	t.Helper()
	names := []string{"beacon", "tracking", "aggregator", "gateway"}
	paths := map[string]string{}
	for _, n := range names {
		rel := os.Getenv(strings.ToUpper(n) + "_BIN")
		if rel == "" {
			continue
		}
		paths[n] = filepath.Join(os.Getenv("TEST_SRCDIR"), os.Getenv("TEST_WORKSPACE"), rel)
	}
	if len(paths) != len(names) {
		dir := t.TempDir()
		for _, n := range names {
			out := filepath.Join(dir, n)
			cmd := exec.Command("go", "build", "-o", out, "github.com/find-peers/find-peers/services/"+n)
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("go build %s: %v\n%s", n, err, b)
			}
			paths[n] = out
		}
	}
	return procstack.Binaries{Beacon: paths["beacon"], Tracking: paths["tracking"], Aggregator: paths["aggregator"], Gateway: paths["gateway"]}
}

// startStack runs the system with fresh, uniquely named keyspaces (seeded),
// and drops them when the test ends.
func startStack(t *testing.T) *procstack.Stack {
	t.Helper()
	hosts := cassandratest.Hosts(t)
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	id := hex.EncodeToString(suffix)
	beaconKS, trackingKS := "e2e_beacon_"+id, "e2e_tracking_"+id

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	logs := &testLog{t: t}
	s, err := procstack.Start(ctx, procstack.Config{
		Bin: binaries(t), CassandraHosts: strings.Join(hosts, ","), Seed: true, Output: logs,
		BeaconKeyspace: beaconKS, TrackingKeyspace: trackingKS,
	})
	if err != nil {
		t.Fatalf("start the stack: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Errorf("stop the stack: %v", err)
		}
		logs.close()
		dropKeyspaces(t, hosts, beaconKS, trackingKS)
	})
	return s
}

func dropKeyspaces(t *testing.T, hosts []string, keyspaces ...string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	session, err := cassandra.Connect(ctx, cassandra.Config{Hosts: hosts, Timeout: 30 * time.Second, NumConns: 1})
	if err != nil {
		t.Errorf("connect to drop keyspaces: %v", err)
		return
	}
	defer session.Close()
	for _, ks := range keyspaces {
		// Keyspace names cannot be bound parameters; these are generated above.
		if err := session.Query(fmt.Sprintf("DROP KEYSPACE IF EXISTS %s", ks)).WithContext(ctx).Exec(); err != nil {
			t.Errorf("drop %s: %v", ks, err)
		}
	}
}

// testLog sends the services' log lines to the test log while the test runs.
type testLog struct {
	t      *testing.T
	closed bool
}

func (l *testLog) Write(p []byte) (int, error) {
	if !l.closed && testing.Verbose() {
		l.t.Log(strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

func (l *testLog) close() { l.closed = true }
