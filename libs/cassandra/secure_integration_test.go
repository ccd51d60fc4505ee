package cassandra_test

// Integration tests of authentication, TLS and roles against a real secure
// Cassandra (cassandratest.Secure): what the server refuses matters as much
// as what it allows, so each refusal has a control that succeeds.

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gocql/gocql"

	"github.com/find-peers/find-peers/libs/cassandra"
	"github.com/find-peers/find-peers/libs/cassandra/cassandratest"
	"github.com/find-peers/find-peers/libs/cassandra/launcher"
)

// connect opens a session with cfg; the test fails unless it works.
func connect(t *testing.T, cfg cassandra.Config) *gocql.Session {
	t.Helper()
	s, err := cassandra.Connect(cassandratest.Context(t, time.Minute), cfg)
	if err != nil {
		t.Fatalf("connect as %s: %v", cfg.Username, err)
	}
	t.Cleanup(s.Close)
	return s
}

// authCacheBound is how long a dropped role or a changed password may
// still log in: Cassandra's auth caches (roles, credentials) keep a login
// valid for 2 s, as production runs them; the margin is for a busy machine.
const authCacheBound = 10 * time.Second

// refused checks that cfg cannot connect and that the error says why. Until
// the auth caches expire, a login just revoked may still open the control
// connection and fail only later with a less telling error, so refused
// retries for authCacheBound before it judges.
func refused(t *testing.T, cfg cassandra.Config, why ...string) {
	t.Helper()
	cfg.ConnectTimeout = 5 * time.Second
	deadline := time.Now().Add(authCacheBound)
	for {
		s, err := cassandra.Connect(cassandratest.Context(t, 30*time.Second), cfg)
		if err == nil {
			s.Close()
		}
		if err != nil && mentionsAny(err, why) {
			t.Logf("refused as it should be: %v", err)
			return
		}
		if time.Now().After(deadline) {
			if err == nil {
				t.Fatalf("still connected with %s after %s", cfg, authCacheBound)
			}
			t.Fatalf("refused, but the error mentions none of %q: %v", why, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func mentionsAny(err error, words []string) bool {
	for _, w := range words {
		if strings.Contains(err.Error(), w) {
			return true
		}
	}
	return false
}

func TestSecureRefusesWrongPassword(t *testing.T) {
	sc := cassandratest.Secure(t)
	cfg := sc.Role(t)
	connect(t, cfg)
	cfg.Password = "not-the-password"
	refused(t, cfg, "Provided username", "incorrect", "authentication")
	admin := sc.Admin(t, "")
	admin.Password = "cassandra"
	admin.Username = "cassandra" // the default superuser is gone
	refused(t, admin, "Provided username", "incorrect", "authentication")
}

func TestSecureRefusesPlainText(t *testing.T) {
	cfg := cassandratest.Secure(t).Role(t)
	connect(t, cfg)
	cfg.TLSCA = ""
	refused(t, cfg, "connection reset", "EOF")
}

func TestSecureVerifiesTheServer(t *testing.T) {
	cfg := cassandratest.Secure(t).Role(t)
	other, err := launcher.NewCA("another CA")
	if err != nil {
		t.Fatal(err)
	}
	wrongCA := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(wrongCA, other.PEM, 0o600); err != nil {
		t.Fatal(err)
	}
	unknown := cfg
	unknown.TLSCA = wrongCA
	refused(t, unknown, "unknown authority")
	// The right CA but another name: the host is checked, not just the chain.
	misnamed := cfg
	misnamed.TLSServerName = "db.example"
	refused(t, misnamed, "not db.example", "valid for")
	// The explicit opt-out accepts the unknown CA: proof the refusal above
	// came from verification.
	unknown.TLSInsecureSkipVerify = true
	connect(t, unknown)
}

const ownSchema = `CREATE TABLE IF NOT EXISTS ${keyspace}.items (id int PRIMARY KEY, label text);`

func TestSecureRoleOwnsOnlyItsKeyspace(t *testing.T) {
	sc := cassandratest.Secure(t)
	beaconCfg, trackingCfg := sc.Role(t), sc.Role(t)
	files := fstest.MapFS{"schema/0001_init.cql": {Data: []byte(ownSchema)}}
	ctx := cassandratest.Context(t, 2*time.Minute)
	repl := cassandratest.Replication(t)
	// Each role migrates its own keyspace (which the admin made).
	beacon, err := cassandra.ConnectMigrated(ctx, beaconCfg, repl, files)
	if err != nil {
		t.Fatalf("migrate as the beacon role: %v", err)
	}
	defer beacon.Close()
	tracking, err := cassandra.ConnectMigrated(ctx, trackingCfg, repl, files)
	if err != nil {
		t.Fatalf("migrate as the tracking role: %v", err)
	}
	defer tracking.Close()
	for _, s := range []struct {
		s  *gocql.Session
		ks string
	}{{beacon, beaconCfg.Keyspace}, {tracking, trackingCfg.Keyspace}} {
		if err := s.s.Query("INSERT INTO " + s.ks + ".items (id, label) VALUES (1, 'own')").WithContext(ctx).Exec(); err != nil {
			t.Fatalf("write own table %s: %v", s.ks, err)
		}
		var label string
		if err := s.s.Query("SELECT label FROM " + s.ks + ".items WHERE id = 1").WithContext(ctx).Scan(&label); err != nil || label != "own" {
			t.Fatalf("read own table %s: %q, %v", s.ks, label, err)
		}
	}
	for what, stmt := range map[string]string{
		"read beacon's table":  "SELECT label FROM " + beaconCfg.Keyspace + ".items WHERE id = 1",
		"write beacon's table": "INSERT INTO " + beaconCfg.Keyspace + ".items (id, label) VALUES (2, 'x')",
		"drop beacon's table":  "DROP TABLE " + beaconCfg.Keyspace + ".items",
		"create a keyspace":    "CREATE KEYSPACE IF NOT EXISTS " + trackingCfg.Keyspace + "_x WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
		"create a role":        "CREATE ROLE intruder WITH PASSWORD = 'x' AND LOGIN = true",
		"grant itself more":    "GRANT SELECT ON KEYSPACE " + beaconCfg.Keyspace + " TO " + trackingCfg.Username,
	} {
		err := tracking.Query(stmt).WithContext(ctx).Exec()
		var re gocql.RequestError
		if !errors.As(err, &re) || re.Code() != gocql.ErrCodeUnauthorized {
			t.Errorf("tracking's role could %s (want Unauthorized): %v", what, err)
		}
	}
}

func TestSecureMigrateNeedsAProvisionedKeyspace(t *testing.T) {
	cfg := cassandratest.Secure(t).Role(t)
	cfg.Keyspace = cassandratest.KeyspaceName(t) // not provisioned
	files := fstest.MapFS{"schema/0001_init.cql": {Data: []byte(ownSchema)}}
	s, err := cassandra.ConnectMigrated(cassandratest.Context(t, time.Minute), cfg, cassandratest.Replication(t), files)
	if err == nil {
		s.Close()
		t.Fatal("a service role created a keyspace")
	}
	if !errors.Is(err, cassandra.ErrNoKeyspace) || !strings.Contains(err.Error(), cfg.Keyspace) ||
		!strings.Contains(err.Error(), "role "+cfg.Username) {
		t.Errorf("error does not name the keyspace and the role: %v", err)
	}
}

// TestSecureProvisionRotatesThePassword: provisioning an existing role sets
// its new password; the old one stops working at once.
func TestSecureProvisionRotatesThePassword(t *testing.T) {
	sc := cassandratest.Secure(t)
	cfg := sc.Role(t)
	admin := connect(t, sc.Admin(t, ""))
	// Cassandra 5 refuses a second password change of a role within 5 s.
	time.Sleep(5500 * time.Millisecond)
	ctx := cassandratest.Context(t, time.Minute)
	rotated := cfg
	rotated.Password = "new 'quoted' password"
	if err := cassandra.Provision(ctx, admin, cfg.Keyspace, cassandratest.Replication(t), cfg.Username, rotated.Password); err != nil {
		t.Fatal(err)
	}
	connect(t, rotated)
	refused(t, cfg, "Provided username", "incorrect", "authentication")
}

func TestProvisionRejectsBadNames(t *testing.T) {
	repl, _ := cassandra.ParseReplication("SimpleStrategy:1")
	ctx := context.Background()
	for _, c := range [][3]string{{"ks; DROP", "r", "pw"}, {"ks", "Role", "pw"}, {"ks", "r x", "pw"}, {"ks", "r", ""}, {"ks", "r", "a\nb"}} {
		// No session is needed: the arguments are refused first.
		if err := cassandra.Provision(ctx, nil, c[0], repl, c[1], cassandra.Secret(c[2])); err == nil {
			t.Errorf("Provision accepted %q", c)
		} else if c[2] != "" && strings.Contains(err.Error(), c[2]) && c[2] != "pw" {
			t.Errorf("error shows the password: %v", err)
		}
	}
}

// TestSecureAuthReplicatedToEveryNode: the launcher replicates the roles to
// every node, so a cluster keeps its logins with a node down.
func TestSecureAuthReplicatedToEveryNode(t *testing.T) {
	sc := cassandratest.Secure(t)
	s := connect(t, sc.Admin(t, ""))
	var repl map[string]string
	err := s.Query("SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = 'system_auth'").
		WithContext(cassandratest.Context(t, time.Minute)).Scan(&repl)
	if err != nil {
		t.Fatal(err)
	}
	if want := strconv.Itoa(len(sc.Hosts)); repl["replication_factor"] != want {
		t.Errorf("system_auth replication %v, want replication_factor %s (one per node)", repl, want)
	}
}
