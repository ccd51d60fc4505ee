package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/find-peers/find-peers/libs/api"
	"github.com/find-peers/find-peers/libs/httpx"
	"github.com/find-peers/find-peers/libs/httpx/httpxtest"
	"github.com/find-peers/find-peers/libs/sse"
)

// fakeResolver answers the endpoints it is set to, or fails.
type fakeResolver struct {
	mu        sync.Mutex
	endpoints []string
	err       error
	asked     []string // host:port of each lookup
}

func (r *fakeResolver) set(err error, endpoints ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.endpoints, r.err = endpoints, err
}

func (r *fakeResolver) Resolve(_ context.Context, hostport string) ([]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.asked = append(r.asked, hostport)
	return slices.Clone(r.endpoints), r.err
}

func (r *fakeResolver) lookups() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.asked)
}

// replica is one tracking replica: an SSE server on 127.0.0.1.
type replica struct {
	*fakeEvents
	endpoint string // host:port
}

func startReplicas(t *testing.T, n int) []replica {
	t.Helper()
	rs := make([]replica, n)
	for i := range rs {
		fe := newFakeEvents()
		srv := httptest.NewServer(fe)
		t.Cleanup(srv.Close)
		rs[i] = replica{fe, strings.TrimPrefix(srv.URL, "http://")}
	}
	return rs
}

func (r replica) stat() (conns, gone int, host string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.conns, r.gone, r.host
}

// send makes r publish a sighting at the bed room beacon, named name.
func (r replica) send(t *testing.T, name string) {
	t.Helper()
	select {
	case r.events <- api.Sighting{BeaconID: mustUUID(t, bedRoomBeacon), Name: name, TimeLogged: time.Unix(seedEpoch, 0)}:
	case <-time.After(3 * time.Second):
		t.Fatalf("nobody follows replica %s", r.endpoint)
	}
}

// eventsName is the events URL of the tests: a name only the fake resolver
// knows, so every stream must have gone through it.
const eventsName = "tracking-events:8082"

// startReplicatedAggregator serves the aggregator with tracking's events
// behind res, resolved every 30ms.
func startReplicatedAggregator(t *testing.T, res *fakeResolver) *httptest.Server {
	t.Helper()
	bu, _ := startUpstreams(t, seedBeacons(t), newFakeEvents())
	b, _ := url.Parse(bu)
	events, _ := url.Parse("http://" + eventsName)
	up := &Upstreams{Beacon: b, Tracking: events, TrackingEvents: events, ResolveTracking: res.Resolve, HTTP: httpx.NewClient(0), CallTimeout: time.Second}
	opts := testOptions()
	opts.Live.ResolveInterval = 30 * time.Millisecond
	srv := httptest.NewServer(routes(up, opts, httpxtest.Ops(), slog.New(slog.DiscardHandler)))
	t.Cleanup(srv.Close)
	return srv
}

// recvNames reads n sightings from events and returns their names, sorted.
func recvNames(t *testing.T, events <-chan sse.Event, n int) []string {
	t.Helper()
	var names []string
	for range n {
		var u api.UserAtLocation
		if ev := recv(t, events, "sighting"); json.Unmarshal([]byte(ev.Data), &u) != nil {
			t.Fatalf("event data %q", ev.Data)
		}
		names = append(names, u.Name)
	}
	slices.Sort(names)
	return names
}

// eventually polls cond for up to 3s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(3 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
	}
}

func TestLiveFollowsEveryTrackingReplica(t *testing.T) {
	rs := startReplicas(t, 3)
	a, b, c := rs[0], rs[1], rs[2]
	res := &fakeResolver{}
	res.set(nil, a.endpoint, b.endpoint, a.endpoint) // a duplicate is followed once
	agg := startReplicatedAggregator(t, res)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	events, _ := liveClient(t, ctx, agg.URL+"/aggregator/locations/"+bedRoom+"/live")

	recv(t, a.connected, "subscription to replica a")
	recv(t, b.connected, "subscription to replica b")
	a.send(t, "via a")
	b.send(t, "via b")
	if got := recvNames(t, events, 2); !slices.Equal(got, []string{"via a", "via b"}) {
		t.Fatalf("sightings %v, want one from each replica", got)
	}
	if _, _, host := a.stat(); host != eventsName {
		t.Errorf("Host header %q, want the events URL's %q", host, eventsName)
	}

	// A replica that appears is followed after the next lookup.
	res.set(nil, a.endpoint, b.endpoint, c.endpoint)
	recv(t, c.connected, "subscription to the new replica c")
	c.send(t, "via c")
	if got := recvNames(t, events, 1); got[0] != "via c" {
		t.Fatalf("sighting %v, want via c", got)
	}

	// One that is gone is dropped: its subscription ends.
	res.set(nil, a.endpoint, c.endpoint)
	eventually(t, "replica b's subscription ended", func() bool { _, gone, _ := b.stat(); return gone == 1 })

	// Failed and empty lookups keep the known replicas followed.
	for _, err := range []error{errors.New("dns down"), nil} {
		res.set(err)
		n := res.lookups()
		eventually(t, "two more lookups", func() bool { return res.lookups() >= n+2 })
		a.send(t, "still a")
		c.send(t, "still c")
		if got := recvNames(t, events, 2); !slices.Equal(got, []string{"still a", "still c"}) {
			t.Fatalf("after a failed lookup (%v): sightings %v", err, got)
		}
	}
	for _, r := range []replica{a, c} {
		if conns, gone, _ := r.stat(); conns != 1 || gone != 0 {
			t.Errorf("replica %s: %d subscriptions, %d ended; want 1, 0", r.endpoint, conns, gone)
		}
	}

	// The client leaves: every subscription ends.
	cancel()
	eventually(t, "every subscription ended", func() bool {
		_, ga, _ := a.stat()
		_, gc, _ := c.stat()
		return ga == 1 && gc == 1
	})
}

// TestFollowTrackingStatus: the live view is connected only while every
// known replica's stream is open.
func TestFollowTrackingStatus(t *testing.T) {
	rs := startReplicas(t, 3)
	a, b, c := rs[0], rs[1], rs[2]
	res := &fakeResolver{}
	res.set(errors.New("no such host"))
	events, _ := url.Parse("http://" + eventsName)
	up := &Upstreams{TrackingEvents: events, ResolveTracking: res.Resolve, HTTP: httpx.NewClient(0)}
	cfg := testOptions().Live.withDefaults()
	cfg.ResolveInterval = 20 * time.Millisecond

	type state struct {
		connected bool
		err       error
	}
	states := make(chan state, 256)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		followTracking(ctx, up, seedBeacons(t).byLocation[bedRoom], cfg, make(chan api.UserAtLocation, 8),
			func(connected bool, err error) { states <- state{connected, err} })
	}()
	defer func() { cancel(); <-done }()
	until := func(what string, ok func(state) bool) state {
		t.Helper()
		for {
			if s := recv(t, states, what); ok(s) {
				return s
			}
		}
	}

	s := recv(t, states, "status while nothing resolves")
	if s.connected || !errors.Is(s.err, errNoReplica) {
		t.Fatalf("status %+v, want not connected, no replica known", s)
	}
	res.set(nil, a.endpoint, b.endpoint)
	until("connected to both", func(s state) bool { return s.connected })
	if conns, _, _ := a.stat(); conns != 1 {
		t.Fatalf("connected with replica a at %d subscriptions", conns)
	}
	if conns, _, _ := b.stat(); conns != 1 {
		t.Fatalf("connected with replica b at %d subscriptions", conns)
	}
	b.drop <- struct{}{} // one replica's stream breaks: the view is incomplete
	s = until("b broke", func(s state) bool { return !s.connected })
	if !strings.Contains(s.err.Error(), b.endpoint) {
		t.Errorf("status error %v does not name replica b", s.err)
	}
	until("b reconnected", func(s state) bool { return s.connected })

	// A scale-up: until the new replica's stream opens, the view is not
	// complete, and the false-then-true is what tells a client (the web
	// page) to reload the hour with the sightings written through it.
	res.set(nil, a.endpoint, b.endpoint, c.endpoint)
	s = until("c found", func(s state) bool { return !s.connected })
	if !strings.Contains(s.err.Error(), c.endpoint) {
		t.Errorf("status error %v does not name the new replica c", s.err)
	}
	until("c connected", func(s state) bool { return s.connected })
	if conns, _, _ := c.stat(); conns != 1 {
		t.Fatalf("connected with replica c at %d subscriptions", conns)
	}
}
