package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
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
	bin := procstack.BinariesFromEnv()
	if err := procstack.BuildMissing(context.Background(), &bin, t.TempDir(), io.Discard); err != nil {
		t.Fatal(err)
	}
	return bin
}

// writeToken is the running stack's write key (procstack makes one).
var writeToken string

// startStack runs the system with fresh, uniquely named keyspaces (seeded),
// and drops them when the test ends; opts change the configuration first.
func startStack(t *testing.T, opts ...func(*procstack.Config)) *procstack.Stack {
	t.Helper()
	hosts := cassandratest.Hosts(t)
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	id := hex.EncodeToString(suffix)
	beaconKS, trackingKS := "e2e_beacon_"+id, "e2e_tracking_"+id

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	logs := &testLog{t: t}
	cfg := procstack.Config{
		Bin: binaries(t), CassandraHosts: strings.Join(hosts, ","), Seed: true, Output: logs,
		BeaconKeyspace: beaconKS, TrackingKeyspace: trackingKS,
	}
	for _, o := range opts {
		o(&cfg)
	}
	s, err := procstack.Start(ctx, cfg)
	if err != nil {
		t.Fatalf("start the stack: %v", err)
	}
	writeToken = s.WriteToken()
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
