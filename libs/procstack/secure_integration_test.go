package procstack_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/find-peers/find-peers/libs/cassandra"
	"github.com/find-peers/find-peers/libs/cassandra/cassandratest"
	"github.com/find-peers/find-peers/libs/logtest"
	"github.com/find-peers/find-peers/libs/procstack"
)

// TestMain stops the private secure Cassandra the test may start.
func TestMain(m *testing.M) { cassandratest.Main(m) }

// roleEnv provisions a role owning a fresh keyspace and returns the
// keyspace and the environment a service logs in with: the password in a
// 0600 file, as a mounted secret would be.
func roleEnv(t *testing.T, sc cassandratest.SecureCluster) (keyspace, password string, env []string) {
	t.Helper()
	cfg := sc.Role(t)
	pw := filepath.Join(t.TempDir(), "password")
	if err := os.WriteFile(pw, []byte(string(cfg.Password)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfg.Keyspace, string(cfg.Password), []string{cassandra.EnvUsername + "=" + cfg.Username,
		cassandra.EnvPasswordFile + "=" + pw, cassandra.EnvTLSCA + "=" + sc.CA}
}

// TestStackOnSecureCassandra runs the system against a Cassandra that
// requires TLS and logins, each stateful service with its own role: both
// migrate their keyspaces and become ready.
func TestStackOnSecureCassandra(t *testing.T) {
	sc := cassandratest.Secure(t)
	beaconKS, beaconPW, beaconEnv := roleEnv(t, sc)
	trackingKS, trackingPW, trackingEnv := roleEnv(t, sc)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	bin := procstack.BinariesFromEnv()
	var log logtest.Buffer
	if err := procstack.BuildMissing(ctx, &bin, t.TempDir(), &log); err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	s, err := procstack.Start(ctx, procstack.Config{
		Bin: bin, CassandraHosts: strings.Join(sc.Hosts, ","), Output: &log,
		BeaconKeyspace: beaconKS, TrackingKeyspace: trackingKS,
		BeaconEnv: beaconEnv, TrackingEnv: trackingEnv,
	})
	if err != nil {
		t.Fatalf("start the stack: %v\n%s", err, log.String())
	}
	defer func() {
		if err := s.Stop(); err != nil {
			t.Errorf("stop: %v", err)
		}
		if all := log.String(); strings.Contains(all, beaconPW) || strings.Contains(all, trackingPW) {
			t.Errorf("a password reached the logs:\n%s", log.String())
		}
	}()
	for _, name := range []string{"beacon", "tracking", "gateway"} {
		resp, err := http.Get(s.URL(name) + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s /readyz: %s", name, resp.Status)
		}
	}
}
