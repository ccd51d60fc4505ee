package main

import (
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/find-peers/find-peers/libs/httpx"
)

func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestRunUsageErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		env  map[string]string
		code int
		msg  string
	}{
		{"unknown command", []string{"frobnicate"}, nil, 2, "unknown command"},
		{"bad flag value", []string{"serve", "-listen-addr", "nope"}, nil, 2, "-listen-addr"},
		{"bad env value", []string{"migrate"}, map[string]string{"TRACKING_READY_TIMEOUT": "soon"}, 2, "TRACKING_READY_TIMEOUT"},
		{"bad replication", []string{"migrate", "-replication", "SimpleStrategy:0"}, nil, 2, "replication"},
		{"stray argument", []string{"serve", "extra"}, nil, 2, "unexpected arguments"},
		{"help", []string{"-h"}, nil, 0, "CASSANDRA_HOSTS"},
		{"no Cassandra hosts", []string{"migrate"}, nil, 2, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "no Cassandra hosts" {
				t.Setenv("CASSANDRA_HOSTS", "")
			}
			var stderr bytes.Buffer
			if code := run(tt.args, envOf(tt.env), &stderr); code != tt.code {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, tt.code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.msg) {
				t.Errorf("stderr lacks %q:\n%s", tt.msg, stderr.String())
			}
		})
	}
}

func TestRunHealth(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(httpx.Healthz))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	var stderr bytes.Buffer
	if code := run([]string{"health", "-listen-addr", addr}, envOf(nil), &stderr); code != 0 {
		t.Errorf("healthy: exit %d: %s", code, stderr.String())
	}
	// The listen address may come from the environment, as in a container.
	if code := run([]string{"health"}, envOf(map[string]string{"TRACKING_LISTEN_ADDR": addr}), &stderr); code != 0 {
		t.Errorf("healthy via env: exit %d: %s", code, stderr.String())
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	if code := run([]string{"health", "-listen-addr", closed}, envOf(nil), &stderr); code != 1 {
		t.Errorf("nothing listening: exit %d, want 1", code)
	}
}
