package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/find-peers/find-peers/libs/balance"
	"github.com/find-peers/find-peers/libs/httpx"
	"github.com/find-peers/find-peers/libs/httpx/httpxtest"
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
	if s.resolveEvery != 5*time.Second {
		t.Errorf("upstreams resolved every %s, want 5s", s.resolveEvery)
	}
}

func TestSettingsTrackingEvents(t *testing.T) {
	s, err := program.Parse("serve", nil, servicetest.Env(map[string]string{
		"AGGREGATOR_TRACKING_EVENTS_URL":       "http://tracking-events:8082",
		"AGGREGATOR_TRACKING_RESOLVE_INTERVAL": "2s",
		"AGGREGATOR_RESOLVE_INTERVAL":          "3s", // the JSON calls' balancer, apart
	}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if s.eventsURL.String() != "http://tracking-events:8082" || s.trackingURL.String() != "http://127.0.0.1:8082" || s.opts.Live.ResolveInterval != 2*time.Second {
		t.Errorf("events %s every %s, tracking %s", s.eventsURL, s.opts.Live.ResolveInterval, s.trackingURL)
	}
	if s.resolveEvery != 3*time.Second {
		t.Errorf("upstreams resolved every %s, want 3s", s.resolveEvery)
	}
}

// TestUpstreamClients: JSON calls are balanced over the replicas behind a
// name; a live stream's followers each stay on the replica they dial.
func TestUpstreamClients(t *testing.T) {
	s, err := program.Parse("serve", []string{"-resolve-interval", "3s"}, servicetest.Env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	up := newUpstreams(s)
	if b, ok := baseOf(up.HTTP).(*balance.Transport); !ok || b.Refresh != 3*time.Second {
		t.Errorf("JSON calls through %#v, want request ids over a balancer refreshing every 3s", up.HTTP.Transport)
	}
	if base := baseOf(up.Streams); base == nil || isBalancer(base) {
		t.Errorf("live streams through %#v, want request ids over the plain pool", up.Streams.Transport)
	}
}

// TestGoneUpstreamFailsAfterDialTimeout: with the clients newUpstreams
// wires, an upstream address that never answers (a replica gone) fails each
// call after -dial-timeout as unreachable, not after -call-timeout as slow;
// within the call, a balancer could have tried the next address.
func TestGoneUpstreamFailsAfterDialTimeout(t *testing.T) {
	gone := "http://" + httpxtest.Blackhole(t)
	beacons := httptest.NewServer(seedBeacons(t))
	defer beacons.Close()
	for _, tc := range []struct {
		name, beacon, tracking string
		status                 int
		contains               []string
	}{
		{"beacon", gone, beacons.URL, http.StatusServiceUnavailable, []string{"beacon-service is unreachable"}},
		{"tracking", beacons.URL, gone, http.StatusBadGateway, []string{bedRoomBeacon, "unreachable"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := program.Parse("serve", []string{"-beacon-url", tc.beacon, "-tracking-url", tc.tracking,
				"-dial-timeout", "150ms", "-call-timeout", "3s"}, servicetest.Env(nil), io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			agg := httptest.NewServer(routes(newUpstreams(s), s.opts, httpxtest.Ops(), slog.New(slog.DiscardHandler)))
			defer agg.Close()
			start := time.Now()
			resp, body := get(t, agg.URL+"/aggregator/locations/"+bedRoom+"/1473157000", nil)
			wantError(t, resp, body, tc.status, tc.contains...)
			if took := time.Since(start); took > time.Second {
				t.Errorf("answered after %s: the 150ms dial timeout did not end the connect", took)
			}
		})
	}
}

// baseOf is what c's request-id forwarding sends through; nil if c does
// not forward request ids.
func baseOf(c *http.Client) http.RoundTripper {
	if t, ok := c.Transport.(*httpx.Transport); ok {
		return t.Base
	}
	return nil
}

func isBalancer(rt http.RoundTripper) bool {
	_, ok := rt.(*balance.Transport)
	return ok
}

func TestSettingsRejectBadValues(t *testing.T) {
	_, err := program.Parse("serve", nil, servicetest.Env(map[string]string{
		"AGGREGATOR_BEACON_URL":                "beacon:8081",
		"AGGREGATOR_FANOUT_CONCURRENCY":        "0",
		"AGGREGATOR_LISTEN_ADDR":               "nope",
		"AGGREGATOR_TRACKING_EVENTS_URL":       "tracking-events:8082",
		"AGGREGATOR_TRACKING_RESOLVE_INTERVAL": "0s",
		"AGGREGATOR_RESOLVE_INTERVAL":          "-1s",
		"AGGREGATOR_DIAL_TIMEOUT":              "5s", // not below the call timeout
	}), io.Discard)
	if err == nil {
		t.Fatal("bad settings accepted")
	}
	for _, want := range []string{"AGGREGATOR_BEACON_URL", "AGGREGATOR_FANOUT_CONCURRENCY", "AGGREGATOR_LISTEN_ADDR",
		"AGGREGATOR_TRACKING_EVENTS_URL", "AGGREGATOR_TRACKING_RESOLVE_INTERVAL", "AGGREGATOR_RESOLVE_INTERVAL",
		"AGGREGATOR_DIAL_TIMEOUT"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}

func TestHealthSubcommand(t *testing.T) {
	servicetest.CheckHealth(t, run, "AGGREGATOR")
}
