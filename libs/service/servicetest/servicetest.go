// Package servicetest checks the command line that libs/service gives every
// service binary, through the service's run function (main without the
// exit): usage errors and their exit codes, and the `health` subcommand.
package servicetest

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/find-peers/find-peers/libs/httpx"
)

// Run is a service's run: main without the process exit, with the
// environment given by lookup. It returns the exit code.
type Run func(args []string, lookup func(string) (string, bool), stderr io.Writer) int

// Env returns a lookup over m, standing in for the process environment.
func Env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// UsageCase is one command line and what it must do.
type UsageCase struct {
	Name   string
	Args   []string
	Env    map[string]string // the lookup's environment
	Setenv map[string]string // process environment, for what is read with os.Getenv (CASSANDRA_*)
	Code   int               // exit code
	Msg    string            // stderr must contain it
}

// CheckUsage runs each case as a subtest.
func CheckUsage(t *testing.T, run Run, cases []UsageCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.Name, func(t *testing.T) {
			for k, v := range tt.Setenv {
				t.Setenv(k, v)
			}
			var stderr bytes.Buffer
			if code := run(tt.Args, Env(tt.Env), &stderr); code != tt.Code {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, tt.Code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.Msg) {
				t.Errorf("stderr lacks %q:\n%s", tt.Msg, stderr.String())
			}
		})
	}
}

// KeyspaceUsageCases are the usage errors of a service built on
// libs/service/keyspace whose flags fall back to envPrefix_* variables.
func KeyspaceUsageCases(envPrefix string) []UsageCase {
	readyTimeout := envPrefix + "_READY_TIMEOUT"
	return []UsageCase{
		{Name: "unknown command", Args: []string{"frobnicate"}, Code: 2, Msg: "unknown command"},
		{Name: "bad flag value", Args: []string{"serve", "-listen-addr", "nope"}, Code: 2, Msg: "-listen-addr"},
		{Name: "bad env value", Args: []string{"migrate"}, Env: map[string]string{readyTimeout: "soon"}, Code: 2, Msg: readyTimeout},
		{Name: "bad replication", Args: []string{"migrate", "-replication", "SimpleStrategy:0"}, Code: 2, Msg: "replication"},
		{Name: "stray argument", Args: []string{"serve", "extra"}, Code: 2, Msg: "unexpected arguments"},
		{Name: "help", Args: []string{"-h"}, Code: 0, Msg: "CASSANDRA_HOSTS"},
		{Name: "no Cassandra hosts", Args: []string{"migrate"}, Setenv: map[string]string{"CASSANDRA_HOSTS": ""}, Code: 2},
	}
}

// CheckHealth checks `<service> health`: exit 0 while a server answers
// /healthz on the listen address, given as a flag or as the envPrefix_
// LISTEN_ADDR variable (as in a container), and exit 1 when nothing listens.
func CheckHealth(t *testing.T, run Run, envPrefix string) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(httpx.Healthz))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	var stderr bytes.Buffer
	if code := run([]string{"health", "-listen-addr", addr}, Env(nil), &stderr); code != 0 {
		t.Errorf("healthy: exit %d: %s", code, stderr.String())
	}
	if code := run([]string{"health"}, Env(map[string]string{envPrefix + "_LISTEN_ADDR": addr}), &stderr); code != 0 {
		t.Errorf("healthy via env: exit %d: %s", code, stderr.String())
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	if code := run([]string{"health", "-listen-addr", closed}, Env(nil), &stderr); code != 1 {
		t.Errorf("nothing listening: exit %d, want 1", code)
	}
}
