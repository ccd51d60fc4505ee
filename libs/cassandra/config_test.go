package cassandra

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gocql/gocql"
)

func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestFromEnvDefaults(t *testing.T) {
	cfg, err := fromLookup(envOf(map[string]string{EnvHosts: " 127.0.0.1:9042, 127.0.0.2 "}), "beacon_service")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cfg.Hosts, "|"); got != "127.0.0.1:9042|127.0.0.2" {
		t.Errorf("hosts = %q", got)
	}
	if cfg.Keyspace != "beacon_service" || cfg.Consistency != gocql.LocalQuorum || cfg.LocalDC != "datacenter1" ||
		cfg.Timeout != DefaultTimeout || cfg.NumConns != DefaultNumConns {
		t.Errorf("defaults not applied: %+v", cfg)
	}
}

func TestFromEnvOverrides(t *testing.T) {
	cfg, err := fromLookup(envOf(map[string]string{
		EnvHosts: "db:9999", EnvKeyspace: "other", EnvConsistency: "one",
		EnvLocalDC: "dc2", EnvTimeout: "250ms", EnvNumConns: "4",
	}), "beacon_service")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Keyspace != "other" || cfg.Consistency != gocql.One || cfg.LocalDC != "dc2" ||
		cfg.Timeout != 250*time.Millisecond || cfg.NumConns != 4 {
		t.Errorf("overrides not applied: %+v", cfg)
	}
}

func TestFromEnvErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		env  map[string]string
		want []string
	}{
		"no hosts":    {map[string]string{}, []string{EnvHosts}},
		"bad port":    {map[string]string{EnvHosts: "h:port"}, []string{`"h:port"`}},
		"port range":  {map[string]string{EnvHosts: "h:70000"}, []string{"h:70000"}},
		"consistency": {map[string]string{EnvHosts: "h", EnvConsistency: "MOST"}, []string{"unknown consistency"}},
		"timeout":     {map[string]string{EnvHosts: "h", EnvTimeout: "soon"}, []string{EnvTimeout}},
		"conns":       {map[string]string{EnvHosts: "h", EnvNumConns: "-1"}, []string{EnvNumConns}},
		"keyspace":    {map[string]string{EnvHosts: "h", EnvKeyspace: "x; DROP"}, []string{"invalid keyspace"}},
		"several":     {map[string]string{EnvTimeout: "x", EnvNumConns: "y"}, []string{EnvTimeout, EnvNumConns}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := fromLookup(envOf(tc.env), "ks")
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestSplitHostPort(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1": "127.0.0.1:9042", "127.0.0.2:9043": "127.0.0.2:9043",
		"::1": "::1:9042", "[::1]:9000": "::1:9000", "db.local": "db.local:9042",
	} {
		h, p, err := splitHostPort(in)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if got := fmt.Sprintf("%s:%d", h, p); got != want {
			t.Errorf("%s -> %s, want %s", in, got, want)
		}
	}
}

func TestValidKeyspace(t *testing.T) {
	for _, ok := range []string{"beacon_service", "t_x_0123abcd", "A"} {
		if err := ValidKeyspace(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "1abc", "a-b", `a"b`, "a;b", strings.Repeat("a", 49)} {
		if ValidKeyspace(bad) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
