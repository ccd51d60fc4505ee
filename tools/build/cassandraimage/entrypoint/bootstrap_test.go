package main

import (
	"reflect"
	"testing"
)

func TestParseGrants(t *testing.T) {
	got, err := parseGrants([]string{"beacon=beacon_service", "tracking=tracking_service"})
	want := []grant{{"beacon", "beacon_service"}, {"tracking", "tracking_service"}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v %v, want %v", got, err, want)
	}
	for _, bad := range []string{"beacon", "=ks", "role="} {
		if _, err := parseGrants([]string{bad}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// podman re-splits an exec-form healthcheck on spaces: the statement is
// every word after -e up to the next flag.
func TestParseCqlsh(t *testing.T) {
	q, pos, code := parseCqlsh([]string{"cassandra-2", "9042", "-e", "SELECT", "release_version", "FROM", "system.local"})
	if code != 0 || q != "SELECT release_version FROM system.local" || !reflect.DeepEqual(pos, []string{"cassandra-2", "9042"}) {
		t.Fatalf("got %q %v %d", q, pos, code)
	}
	if _, _, code := parseCqlsh([]string{"-u", "x"}); code != 2 {
		t.Errorf("unknown flag: code %d, want 2", code)
	}
}

// bootstrap refuses to run without the admin's login and TLS, before it
// touches the network.
func TestBootstrapNeedsLoginAndTLS(t *testing.T) {
	t.Setenv("CASSANDRA_HOSTS", "127.0.0.1:1")
	t.Setenv("CASSANDRA_USERNAME", "")
	if err := runBootstrap([]string{"beacon=beacon_service"}); err == nil {
		t.Fatal("ran without a login")
	}
}
