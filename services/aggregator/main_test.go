package main

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/find-peers/find-peers/libs/service/servicetest"
)

func TestSettingsFromFlagsAndEnv(t *testing.T) {
	s, err := program.Parse("serve", []string{"-tracking-url", "http://flag:1", "-fanout-concurrency", "4"}, servicetest.Env(map[string]string{
		"AGGREGATOR_LISTEN_ADDR":   ":9000",
		"AGGREGATOR_TRACKING_URL":  "http://env:2", // the flag wins
		"AGGREGATOR_WRITE_TIMEOUT": "1m",
	}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if s.Server.Addr != ":9000" || s.Server.WriteTimeout != time.Minute || s.opts.Concurrency != 4 {
		t.Errorf("settings %+v", s)
	}
	if s.trackingURL.String() != "http://flag:1" || s.beaconURL.String() != "http://127.0.0.1:8081" {
		t.Errorf("upstreams %s %s", s.beaconURL, s.trackingURL)
	}
	// The event streams default to tracking's URL, resolved every 5s.
	if s.eventsURL.String() != "http://flag:1" || s.opts.Live.ResolveInterval != 5*time.Second {
		t.Errorf("events %s every %s, want http://flag:1 every 5s", s.eventsURL, s.opts.Live.ResolveInterval)
	}
}

func TestSettingsTrackingEvents(t *testing.T) {
	s, err := program.Parse("serve", nil, servicetest.Env(map[string]string{
		"AGGREGATOR_TRACKING_EVENTS_URL":       "http://tracking-events:8082",
		"AGGREGATOR_TRACKING_RESOLVE_INTERVAL": "2s",
	}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if s.eventsURL.String() != "http://tracking-events:8082" || s.trackingURL.String() != "http://127.0.0.1:8082" || s.opts.Live.ResolveInterval != 2*time.Second {
		t.Errorf("events %s every %s, tracking %s", s.eventsURL, s.opts.Live.ResolveInterval, s.trackingURL)
	}
}

func TestSettingsRejectBadValues(t *testing.T) {
	_, err := program.Parse("serve", nil, servicetest.Env(map[string]string{
		"AGGREGATOR_BEACON_URL":                "beacon:8081",
		"AGGREGATOR_FANOUT_CONCURRENCY":        "0",
		"AGGREGATOR_LISTEN_ADDR":               "nope",
		"AGGREGATOR_TRACKING_EVENTS_URL":       "tracking-events:8082",
		"AGGREGATOR_TRACKING_RESOLVE_INTERVAL": "0s",
	}), io.Discard)
	if err == nil {
		t.Fatal("bad settings accepted")
	}
	for _, want := range []string{"AGGREGATOR_BEACON_URL", "AGGREGATOR_FANOUT_CONCURRENCY", "AGGREGATOR_LISTEN_ADDR",
		"AGGREGATOR_TRACKING_EVENTS_URL", "AGGREGATOR_TRACKING_RESOLVE_INTERVAL"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}

func TestHealthSubcommand(t *testing.T) {
	servicetest.CheckHealth(t, run, "AGGREGATOR")
}
