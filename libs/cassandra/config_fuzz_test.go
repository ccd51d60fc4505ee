package cassandra

// Fuzz targets for Cassandra settings read from flags and environment:
// replication specs (spliced into CREATE KEYSPACE, so they must never carry
// a quote), host lists, consistency names and CQL migration scripts.

import (
	"strings"
	"testing"
)

func FuzzParseReplication(f *testing.F) {
	for _, s := range []string{"SimpleStrategy:1", "NetworkTopologyStrategy:datacenter1=3", "NetworkTopologyStrategy:dc1=3, dc2=2",
		"SimpleStrategy:0", "SimpleStrategy:", "NetworkTopologyStrategy:dc1=3,dc1=2", "NetworkTopologyStrategy:dc'}=1",
		"NetworkTopologyStrategy:=3", "Other:1", " SimpleStrategy:3 ", "SimpleStrategy:+1", "SimpleStrategy:99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseReplication(s)
		if err != nil {
			return
		}
		cql, err := r.CQL()
		if err != nil {
			t.Fatalf("ParseReplication(%q) accepted %+v but CQL() fails: %v", s, r, err)
		}
		// Only the class and data-center names are quoted: exactly two quotes each.
		if want := 2 * (2 + len(r.DCs)); r.Class == "SimpleStrategy" && strings.Count(cql, "'") != 6 ||
			r.Class == "NetworkTopologyStrategy" && strings.Count(cql, "'") != want {
			t.Fatalf("CQL of %q has stray quotes: %s", s, cql)
		}
		again, err := ParseReplication(r.String())
		if err != nil || again.String() != r.String() {
			t.Fatalf("round trip %q -> %q -> %+v, %v", s, r.String(), again, err)
		}
	})
}

func FuzzHosts(f *testing.F) {
	for _, s := range []string{"127.0.0.1:9042", "127.0.0.1,127.0.0.2:19042", "[::1]:9042", "::1", "host:0", "host:99999",
		":9042", "h:p", "a:b:c", "[::1]", " , ", "127.0.0.1:9042\x00"} {
		f.Add(s, "LOCAL_QUORUM", "ks")
	}
	f.Add("127.0.0.1", "bogus", "1ks")
	f.Add("127.0.0.1", "one", "ks; DROP KEYSPACE x")
	f.Fuzz(func(t *testing.T, hosts, consistency, keyspace string) {
		// As FromEnv reads CASSANDRA_HOSTS: comma-separated, blanks dropped.
		cfg := Config{Keyspace: keyspace}
		for _, h := range strings.Split(hosts, ",") {
			if h = strings.TrimSpace(h); h != "" {
				cfg.Hosts = append(cfg.Hosts, h)
			}
		}
		c, cerr := ParseConsistency(consistency)
		if cerr == nil {
			cfg.Consistency = c
		}
		if err := cfg.Validate(); err != nil {
			return
		}
		if len(cfg.Hosts) == 0 || cfg.Timeout <= 0 || cfg.NumConns <= 0 || cfg.Consistency == 0 || cfg.LocalDC == "" {
			t.Fatalf("accepted an unusable config %+v", cfg)
		}
		if cfg.Keyspace != "" && ValidKeyspace(cfg.Keyspace) != nil {
			t.Fatalf("accepted keyspace %q", cfg.Keyspace)
		}
		// A keyspace is spliced into CQL: nothing but letters, digits, _.
		if strings.ContainsAny(cfg.Keyspace, "'\";. -") {
			t.Fatalf("keyspace %q could inject CQL", cfg.Keyspace)
		}
	})
}

func FuzzSplitStatements(f *testing.F) {
	for _, s := range []string{"CREATE TABLE t (a int PRIMARY KEY); INSERT INTO t (a) VALUES (1);",
		"INSERT INTO t (s) VALUES ('a;b'''';c');", `CREATE TABLE "we;ird" (a int PRIMARY KEY);`,
		"-- comment; here\nSELECT 1; // x;\n/* ; */ SELECT 2", "CREATE FUNCTION f() $$ return 1; $$;", "'open", "/* open", "$$ open", ";;;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, script string) {
		stmts, err := SplitStatements(script)
		if err != nil {
			return
		}
		for _, s := range stmts {
			if s == "" || s != strings.TrimSpace(s) {
				t.Fatalf("statement %q not trimmed", s)
			}
		}
		// Splitting the joined statements again gives the same statements.
		again, err := SplitStatements(strings.Join(stmts, ";\n"))
		if err != nil || strings.Join(again, "\x00") != strings.Join(stmts, "\x00") {
			t.Fatalf("re-split of %q: %q, %v", stmts, again, err)
		}
	})
}

// FuzzSecurityEnv feeds the authentication and TLS variables: an accepted
// combination is consistent, and no outcome shows the password.
func FuzzSecurityEnv(f *testing.F) {
	f.Add("tracking", "pw-secret-1", "", "", "", "")
	f.Add("", "pw-secret-1", "", "", "", "")
	f.Add("u", "", "/nonexistent/ca.pem", "", "", "true")
	f.Add("u", "pw-secret-1", "", "cert.pem", "", "")
	f.Add("u", "pw-secret-1", "", "", "db", "yes")
	f.Fuzz(func(t *testing.T, user, password, ca, cert, serverName, insecure string) {
		env := map[string]string{EnvHosts: "127.0.0.1", EnvUsername: user, EnvPassword: password,
			EnvTLSCA: ca, EnvTLSCert: cert, EnvTLSServer: serverName, EnvTLSInsecure: insecure}
		cfg, err := fromLookup(envOf(env), "ks")
		// Only a password that is not also part of another input can be told apart.
		pw := strings.TrimSpace(password)
		checkLeak := len(pw) >= 6 && !strings.Contains(user+ca+cert+serverName+insecure+"127.0.0.1 ks", pw)
		if checkLeak && (err != nil && strings.Contains(err.Error(), pw) || strings.Contains(cfg.String(), pw)) {
			t.Fatalf("password %q shown: %v / %s", pw, err, cfg)
		}
		if err != nil {
			return
		}
		if (cfg.Username == "") != (cfg.Password == "") {
			t.Fatalf("accepted a username without a password or the reverse: %q", cfg.Username)
		}
		if !cfg.TLS() && (cfg.TLSCert != "" || cfg.TLSServerName != "" || cfg.TLSInsecureSkipVerify) {
			t.Fatalf("accepted TLS settings without a CA: %s", cfg)
		}
	})
}

// FuzzProvisionNames: role names and passwords are spliced into CQL, so an
// accepted name is a plain identifier and a password literal is one string
// that gives back the password.
func FuzzProvisionNames(f *testing.F) {
	for _, s := range []string{"tracking", "Tracking", "r'x", "a b", "x--", "pw'); DROP ROLE admin; --", "''", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ValidRole(s) == nil && strings.ContainsFunc(s, func(r rune) bool { return !(r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') }) {
			t.Fatalf("role %q accepted", s)
		}
		lit, err := passwordLiteral(Secret(s))
		if err != nil {
			return
		}
		inner := lit[1 : len(lit)-1]
		if lit[0] != '\'' || lit[len(lit)-1] != '\'' || strings.Count(inner, "'")%2 != 0 ||
			strings.ReplaceAll(inner, "''", "'") != s || strings.Contains(strings.ReplaceAll(inner, "''", ""), "'") {
			t.Fatalf("password %q quoted as %s", s, lit)
		}
	})
}
