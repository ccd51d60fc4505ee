package config

import (
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func newSet(m map[string]string) *Set {
	s := NewWithLookup("test", "BEACON", env(m))
	s.SetOutput(io.Discard)
	return s
}

func TestEnvName(t *testing.T) {
	for _, tt := range []struct{ prefix, name, want string }{
		{"BEACON", "listen-addr", "BEACON_LISTEN_ADDR"},
		{"tracking", "cassandra.hosts", "TRACKING_CASSANDRA_HOSTS"},
		{"", "x-y", "X_Y"},
	} {
		if got := EnvName(tt.prefix, tt.name); got != tt.want {
			t.Errorf("EnvName(%q, %q) = %q, want %q", tt.prefix, tt.name, got, tt.want)
		}
	}
}

func TestPrecedenceFlagEnvDefault(t *testing.T) {
	s := newSet(map[string]string{"BEACON_LISTEN_ADDR": "127.0.0.1:9", "BEACON_TIMEOUT": "3s", "BEACON_RF": "3"})
	addr := s.String("listen-addr", "127.0.0.1:8081", "")
	timeout := s.Duration("timeout", time.Second, "")
	rf := s.Int("rf", 1, "")
	other := s.String("other", "dflt", "")
	if err := s.Parse([]string{"-rf", "5"}); err != nil {
		t.Fatal(err)
	}
	if *addr != "127.0.0.1:9" || *timeout != 3*time.Second || *rf != 5 || *other != "dflt" {
		t.Errorf("got addr=%q timeout=%v rf=%d other=%q", *addr, *timeout, *rf, *other)
	}
}

func TestEmptyEnvIsUnset(t *testing.T) {
	s := newSet(map[string]string{"BEACON_LISTEN_ADDR": ""})
	addr := s.String("listen-addr", "dflt", "")
	if err := s.Parse(nil); err != nil || *addr != "dflt" {
		t.Errorf("got %q, %v", *addr, err)
	}
}

func TestBadEnvValuesNameTheSetting(t *testing.T) {
	s := newSet(map[string]string{"BEACON_TIMEOUT": "soon", "BEACON_RF": "three", "BEACON_DEBUG": "maybe"})
	s.Duration("timeout", time.Second, "")
	s.Int("rf", 1, "")
	s.Bool("debug", false, "")
	err := s.Parse(nil)
	if err == nil {
		t.Fatal("Parse accepted bad env values")
	}
	for _, want := range []string{"BEACON_TIMEOUT", `"soon"`, "BEACON_RF", "BEACON_DEBUG"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}

func TestExplicitFlagOverridesBadEnv(t *testing.T) {
	s := newSet(map[string]string{"BEACON_RF": "three"})
	rf := s.Int("rf", 1, "")
	if err := s.Parse([]string{"-rf=3"}); err != nil || *rf != 3 {
		t.Errorf("got %d, %v", *rf, err)
	}
}

func TestValidate(t *testing.T) {
	s := newSet(nil)
	addr := s.String("listen-addr", "nonsense", "")
	timeout := s.Duration("timeout", 0, "")
	s.Validate("listen-addr", func() error { return HostPort(*addr) })
	s.Validate("timeout", func() error { return Positive(*timeout) })
	err := s.Parse(nil)
	if err == nil {
		t.Fatal("Parse accepted invalid settings")
	}
	for _, want := range []string{"-listen-addr", "BEACON_LISTEN_ADDR", "nonsense", "-timeout", "BEACON_TIMEOUT", "positive"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	s = newSet(nil)
	addr = s.String("listen-addr", "127.0.0.1:0", "")
	s.Validate("listen-addr", func() error { return HostPort(*addr) })
	if err := s.Parse(nil); err != nil {
		t.Errorf("valid address rejected: %v", err)
	}
}

func TestList(t *testing.T) {
	s := newSet(map[string]string{"BEACON_HOSTS": "a, b,,c "})
	hosts := s.List("hosts", []string{"localhost"}, "")
	peers := s.List("peers", []string{"x"}, "")
	if err := s.Parse([]string{"-peers", "y,z"}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(*hosts, "|") != "a|b|c" || strings.Join(*peers, "|") != "y|z" {
		t.Errorf("hosts=%q peers=%q", *hosts, *peers)
	}
}

func TestUsageMentionsEnv(t *testing.T) {
	s := newSet(nil)
	s.String("listen-addr", "", "address to serve on")
	if u := s.Lookup("listen-addr").Usage; !strings.Contains(u, "BEACON_LISTEN_ADDR") {
		t.Errorf("usage = %q", u)
	}
}

func TestHelpAndUnknownFlag(t *testing.T) {
	s := newSet(nil)
	if err := s.Parse([]string{"-h"}); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
	s = newSet(nil)
	if err := s.Parse([]string{"-nope"}); err == nil {
		t.Error("unknown flag accepted")
	}
}

func TestValidators(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
		ok   bool
	}{
		{"hostport", HostPort("127.0.0.1:8080"), true},
		{"hostport any", HostPort(":0"), true},
		{"hostport no port", HostPort("localhost"), false},
		{"hostport bad port", HostPort("h:99999"), false},
		{"positive", Positive(time.Second), true},
		{"zero", Positive(0), false},
	} {
		if (tt.err == nil) != tt.ok {
			t.Errorf("%s: err = %v", tt.name, tt.err)
		}
	}
}

func TestBaseURL(t *testing.T) {
	for _, tt := range []struct {
		in string
		ok bool
	}{
		{"http://beacon:8081", true},
		{"https://example.com/base", true},
		{"beacon:8081", false},
		{"ftp://host", false},
		{"http://", false},
		{"http://host/?q=1", false},
		{"http://host/#frag", false},
		{"http://%zz", false},
	} {
		u, err := BaseURL(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("BaseURL(%q) = %v, %v", tt.in, u, err)
		}
		if err == nil && u.String() != tt.in {
			t.Errorf("BaseURL(%q) = %s", tt.in, u)
		}
	}
}

func TestLoopbackHost(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "127.0.0.1": true, "127.1.2.3": true, "::1": true,
		"": false, "0.0.0.0": false, "::": false, "10.0.0.1": false, "192.168.1.1": false,
		"example.invalid": false, "localhost.": false, "LOCALHOST": false, "[::1]": false, "127.0.0.1:80": false,
	} {
		if got := LoopbackHost(host); got != want {
			t.Errorf("LoopbackHost(%q) = %v, want %v", host, got, want)
		}
	}
}
