package main

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// trackingName is the tracking URL's host:port in these tests: a name only
// their resolver knows, standing for several loopback replicas.
const trackingName = "tracking:8082"

// startBalancedGateway serves the gateway with tracking at trackingName,
// which resolves to eps.
func startBalancedGateway(t *testing.T, eps ...string) string {
	t.Helper()
	opts := testOptions()
	opts.Transport.Resolve = func(_ context.Context, hostport string) ([]string, error) {
		if hostport != trackingName {
			return nil, errors.New("unknown host " + hostport)
		}
		return eps, nil
	}
	tracking, _ := url.Parse("http://" + trackingName)
	return startGateway(t, opts, serveUpstream(t, &echo{}), tracking, serveUpstream(t, &echo{})).URL
}

// TestBalancesOverReplicas: each request goes to the next replica, which
// sees the upstream's name as the Host.
func TestBalancesOverReplicas(t *testing.T) {
	reps := []*echo{{name: "tracking-1"}, {name: "tracking-2"}}
	gw := startBalancedGateway(t, serveUpstream(t, reps[0]).Host, serveUpstream(t, reps[1]).Host)
	for range 10 {
		if resp, body := do(t, newReq(t, "GET", gw+"/tracking/beacons/x/1", nil)); resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
	}
	for _, r := range reps {
		if n := r.count(); n != 5 {
			t.Errorf("%s got %d of 10 requests, want 5", r.name, n)
		}
		if h := r.last(t).Host; h != trackingName {
			t.Errorf("%s saw Host %q, want %q", r.name, h, trackingName)
		}
	}
	// /readyz asks one replica.
	if resp, body := do(t, newReq(t, "GET", gw+"/readyz", nil)); resp.StatusCode != http.StatusOK {
		t.Errorf("/readyz: %d %s", resp.StatusCode, body)
	}
}

// TestReplicaGoneFailsOver: a replica that refuses connections is passed
// over, and a write sent to it reaches another one, body intact.
func TestReplicaGoneFailsOver(t *testing.T) {
	reps := []*echo{{name: "tracking-1"}, {name: "tracking-2"}}
	gw := startBalancedGateway(t, serveUpstream(t, reps[0]).Host, deadURL(t).Host, serveUpstream(t, reps[1]).Host)
	const sightings = `[{"beaconId":"b","userId":"u"}]`
	for range 6 {
		resp, body := do(t, newReq(t, "POST", gw+"/tracking/sightings", strings.NewReader(sightings)))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
	}
	if n := reps[0].count() + reps[1].count(); n != 6 {
		t.Fatalf("%d of 6 writes arrived", n)
	}
	for _, r := range reps {
		if r.count() > 0 && r.last(t).Body != sightings {
			t.Errorf("%s got body %q", r.name, r.last(t).Body)
		}
	}
}

// TestEveryReplicaGone: 503, as with one upstream down.
func TestEveryReplicaGone(t *testing.T) {
	gw := startBalancedGateway(t, deadURL(t).Host, deadURL(t).Host)
	resp, body := do(t, newReq(t, "GET", gw+"/tracking/beacons/x/1", nil))
	wantJSONError(t, resp, body, http.StatusServiceUnavailable, "tracking-service is unavailable")
}
