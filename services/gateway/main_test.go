package main

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/find-peers/find-peers/libs/service/servicetest"
)

func TestSettingsFromFlagsAndEnv(t *testing.T) {
	s, err := program.Parse("serve", []string{"-tracking-url", "http://flag:1"}, servicetest.Env(map[string]string{
		"GATEWAY_LISTEN_ADDR":    ":9000",
		"GATEWAY_TRACKING_URL":   "http://env:2", // the flag wins
		"GATEWAY_AGGREGATOR_URL": "http://aggregator:8083",
		"GATEWAY_MAX_BODY_BYTES": "2048",
		"GATEWAY_WRITE_TIMEOUT":  "1m",
	}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if s.Server.Addr != ":9000" || s.Server.WriteTimeout != time.Minute || s.opts.MaxBody != 2048 {
		t.Errorf("settings %+v", s)
	}
	if s.opts.Transport.ResolveInterval != 5*time.Second {
		t.Errorf("upstreams resolved every %s, want 5s", s.opts.Transport.ResolveInterval)
	}
	got := map[string]string{}
	for _, up := range s.upstreams {
		got[up.Prefix] = up.URL.String()
	}
	if got["/tracking"] != "http://flag:1" || got["/aggregator"] != "http://aggregator:8083" || got["/beacons"] != "http://127.0.0.1:8081" {
		t.Errorf("upstreams %v", got)
	}
}

func TestSettingsRejectBadValues(t *testing.T) {
	_, err := program.Parse("serve", nil, servicetest.Env(map[string]string{
		"GATEWAY_BEACON_URL":       "beacon:8081",
		"GATEWAY_MAX_BODY_BYTES":   "-1",
		"GATEWAY_LISTEN_ADDR":      "nope",
		"GATEWAY_RESOLVE_INTERVAL": "0s",
	}), io.Discard)
	if err == nil {
		t.Fatal("bad settings accepted")
	}
	for _, want := range []string{"GATEWAY_BEACON_URL", "GATEWAY_MAX_BODY_BYTES", "GATEWAY_LISTEN_ADDR", "GATEWAY_RESOLVE_INTERVAL"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}

func TestHealthSubcommand(t *testing.T) {
	servicetest.CheckHealth(t, run, "GATEWAY")
}
