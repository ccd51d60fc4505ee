package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/find-peers/find-peers/libs/api"
	"github.com/find-peers/find-peers/libs/httpx"
	"github.com/find-peers/find-peers/libs/httpx/httpxtest"
	"github.com/find-peers/find-peers/libs/sse"
)

// fakeEvents is tracking-service's /tracking/events: every connection is
// announced on connected (with its query), then gets what is sent on events,
// until drop is signalled (the upstream "breaks") or the client leaves.
type fakeEvents struct {
	connected chan url.Values
	events    chan api.Sighting
	drop      chan struct{}
	mu        sync.Mutex
	gone      int    // connections whose client went away
	conns     int    // subscriptions accepted
	host      string // Host header of the last subscription
}

func newFakeEvents() *fakeEvents {
	return &fakeEvents{connected: make(chan url.Values, 8), events: make(chan api.Sighting), drop: make(chan struct{})}
}

func (f *fakeEvents) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/tracking/events" {
		httpx.WriteError(w, http.StatusNotFound, "no such endpoint")
		return
	}
	f.mu.Lock()
	f.conns++
	f.host = r.Host
	f.mu.Unlock()
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, ": hello\n\n")
	http.NewResponseController(w).Flush()
	f.connected <- r.URL.Query()
	for id := 1; ; id++ {
		select {
		case s := <-f.events:
			b, _ := json.Marshal(s)
			fmt.Fprintf(w, "id: %d\nevent: sighting\ndata: %s\n\n", id, b)
			http.NewResponseController(w).Flush()
		case <-f.drop:
			return
		case <-r.Context().Done():
			f.mu.Lock()
			f.gone++
			f.mu.Unlock()
			return
		}
	}
}

// liveClient reads an aggregator live stream into a channel of its
// sighting events (status events are left out: liveClientStatus has them).
func liveClient(t *testing.T, ctx context.Context, target string) (<-chan sse.Event, *http.Response) {
	t.Helper()
	events, _, resp := liveClientStatus(t, ctx, target)
	return events, resp
}

// liveClientStatus reads an aggregator live stream into a channel of
// sighting events and one of status events.
func liveClientStatus(t *testing.T, ctx context.Context, target string) (<-chan sse.Event, <-chan sse.Event, *http.Response) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	out, status := make(chan sse.Event, 16), make(chan sse.Event, 16)
	go func() {
		defer resp.Body.Close()
		defer close(out)
		defer close(status)
		rd := sse.NewReader(resp.Body)
		for {
			ev, err := rd.Next()
			if err != nil {
				return
			}
			if ev.Event == "status" {
				select {
				case status <- ev:
				default: // nobody reads them
				}
				continue
			}
			out <- ev
		}
	}()
	return out, status, resp
}

func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v, ok := <-ch:
		if !ok {
			t.Fatalf("%s: channel closed", what)
		}
		return v
	case <-time.After(3 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
	panic("unreachable")
}

func TestLiveStreamsSightingsAndReconnects(t *testing.T) {
	fb := seedBeacons(t)
	fe := newFakeEvents()
	bu, tu := startUpstreams(t, fb, fe)
	agg := startAggregator(t, bu, tu, time.Second, testOptions())

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	events, resp := liveClient(t, ctx, agg.URL+"/aggregator/locations/"+bedRoom+"/live")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	q := recv(t, fe.connected, "subscription to tracking")
	if got := q["beaconId"]; len(got) != 1 || got[0] != bedRoomBeacon {
		t.Fatalf("subscribed with beaconId=%v, want [%s]", got, bedRoomBeacon)
	}

	at := time.Date(2016, 9, 6, 10, 5, 0, 0, time.UTC)
	user := mustUUID(t, "f525cff6-721e-11e6-8b77-86f30ca893d3")
	send := func(beacon, name string) {
		select {
		case fe.events <- api.Sighting{BeaconID: mustUUID(t, beacon), UserID: user, Name: name, TimeLogged: at}:
		case <-time.After(3 * time.Second):
			t.Fatal("aggregator is not reading the upstream stream")
		}
	}
	send("99a627ed-d91b-45de-beef-5e73c4edba87", "elsewhere") // not at this location: filtered out
	send(bedRoomBeacon, "Avinash Erupaka")
	ev := recv(t, events, "first sighting")
	var u api.UserAtLocation
	if err := json.Unmarshal([]byte(ev.Data), &u); err != nil {
		t.Fatalf("event data %q: %v", ev.Data, err)
	}
	want := api.UserAtLocation{UserID: user, Name: "Avinash Erupaka", TimeLogged: at, BeaconName: "Bed Room Beacon"}
	if u != want || ev.Event != "message" {
		t.Fatalf("event %q %+v, want default event %+v", ev.Event, u, want)
	}

	// The upstream stream breaks: the aggregator reconnects, the client's
	// stream stays open and keeps receiving.
	fe.drop <- struct{}{}
	recv(t, fe.connected, "reconnection to tracking")
	send(bedRoomBeacon, "after reconnect")
	ev = recv(t, events, "sighting after reconnect")
	if !strings.Contains(ev.Data, `"name":"after reconnect"`) {
		t.Fatalf("event after reconnect: %q", ev.Data)
	}

	// The client leaves: the upstream subscription ends too.
	cancel()
	deadline := time.Now().Add(3 * time.Second)
	for {
		fe.mu.Lock()
		gone := fe.gone
		fe.mu.Unlock()
		if gone == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("upstream subscription still open after the client left")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestLiveReconnectsWithBackoffWhileTrackingIsDown(t *testing.T) {
	fb := seedBeacons(t)
	// Tracking refuses connections at first: a listener we close, then
	// reopen on the same port.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	b := httptest.NewServer(fb)
	defer b.Close()
	opts := testOptions()
	agg := startAggregator(t, b.URL, "http://"+addr, time.Second, opts)

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	events, status, resp := liveClientStatus(t, ctx, agg.URL+"/aggregator/locations/"+bedRoom+"/live")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	// The client is told that live updates are not flowing, without the
	// internal address of tracking.
	if ev := recv(t, status, "status event"); !strings.Contains(ev.Data, `"connected":false`) ||
		!strings.Contains(ev.Data, "tracking-service is not reachable") || strings.Contains(ev.Data, addr) {
		t.Fatalf("first status %q", ev.Data)
	}
	time.Sleep(300 * time.Millisecond) // a few failed attempts (backoff 20ms..100ms)

	fe := newFakeEvents()
	ln, err = net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("could not reopen %s: %v", addr, err)
	}
	srv := &http.Server{Handler: fe}
	go srv.Serve(ln)
	defer srv.Close()

	recv(t, fe.connected, "subscription once tracking is up")
	if ev := recv(t, status, "status event"); ev.Data != `{"connected":true}` {
		t.Fatalf("status once tracking is up %q", ev.Data)
	}
	fe.events <- api.Sighting{BeaconID: mustUUID(t, bedRoomBeacon), Name: "late", TimeLogged: time.Unix(seedEpoch, 0)}
	if ev := recv(t, events, "sighting"); !strings.Contains(ev.Data, `"late"`) {
		t.Fatalf("got %q", ev.Data)
	}
}

func TestLiveSendsHeartbeats(t *testing.T) {
	fe := newFakeEvents()
	bu, tu := startUpstreams(t, seedBeacons(t), fe)
	opts := testOptions()
	opts.Live.Heartbeat = 50 * time.Millisecond
	agg := startAggregator(t, bu, tu, time.Second, opts)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, agg.URL+"/aggregator/locations/"+bedRoom+"/live", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	buf := make([]byte, 0, 1024)
	for strings.Count(string(buf), ": heartbeat\n\n") < 2 {
		chunk := make([]byte, 256)
		n, err := resp.Body.Read(chunk)
		if err != nil {
			t.Fatalf("read: %v (got %q)", err, buf)
		}
		buf = append(buf, chunk[:n]...)
	}
}

func TestLiveWithoutBeaconsDoesNotSubscribe(t *testing.T) {
	fe := newFakeEvents()
	bu, tu := startUpstreams(t, seedBeacons(t), fe)
	opts := testOptions()
	opts.Live.Heartbeat = 20 * time.Millisecond
	agg := startAggregator(t, bu, tu, time.Second, opts)
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	events, resp := liveClient(t, ctx, agg.URL+"/aggregator/locations/00000000-0000-0000-0000-000000000009/live")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for range events {
	}
	select {
	case q := <-fe.connected:
		t.Fatalf("subscribed to tracking (%v) for a location without beacons", q)
	default:
	}
}

func TestLiveBeaconServiceDownIsJSON503(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	fe := newFakeEvents()
	tr := httptest.NewServer(fe)
	defer tr.Close()
	agg := startAggregator(t, down.URL, tr.URL, time.Second, testOptions())
	resp, body := get(t, agg.URL+"/aggregator/locations/"+bedRoom+"/live", nil)
	wantError(t, resp, body, http.StatusServiceUnavailable, "beacon-service")
}

// TestLiveOutlivesServerTimeouts: the server's read and write timeouts guard
// ordinary requests; a stream must survive them.
func TestLiveOutlivesServerTimeouts(t *testing.T) {
	fe := newFakeEvents()
	bu, tu := startUpstreams(t, seedBeacons(t), fe)
	b, _ := url.Parse(bu)
	tr, _ := url.Parse(tu)
	up := &Upstreams{Beacon: b, Tracking: tr, HTTP: httpx.NewClient(0), CallTimeout: time.Second}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	cfg := httpx.ServerConfig{ReadTimeout: 150 * time.Millisecond, WriteTimeout: 150 * time.Millisecond, ShutdownTimeout: time.Second}
	srvCtx, stop := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() {
		served <- httpx.ServeListener(srvCtx, ln, cfg, routes(up, testOptions(), httpxtest.Ops(), logger), logger)
	}()

	ctx, cancel := context.WithCancel(t.Context())
	events, _ := liveClient(t, ctx, "http://"+ln.Addr().String()+"/aggregator/locations/"+bedRoom+"/live")
	recv(t, fe.connected, "subscription")
	time.Sleep(500 * time.Millisecond) // past both timeouts
	fe.events <- api.Sighting{BeaconID: mustUUID(t, bedRoomBeacon), Name: "still here", TimeLogged: time.Unix(seedEpoch, 0)}
	if ev := recv(t, events, "sighting after the server timeouts"); !strings.Contains(ev.Data, "still here") {
		t.Fatalf("got %q", ev.Data)
	}

	// Graceful shutdown ends the stream instead of waiting for it.
	start := time.Now()
	stop()
	if err := <-served; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if d := time.Since(start); d > 900*time.Millisecond {
		t.Fatalf("shutdown waited %s for the stream", d)
	}
	cancel()
}

func TestLiveReconnectsWhenTrackingGoesSilent(t *testing.T) {
	fb := seedBeacons(t)
	b := httptest.NewServer(fb)
	defer b.Close()
	// A tracking that accepts the subscription, then sends nothing at all
	// (no heartbeat): hung, or behind a connection a network dropped.
	subscribed := make(chan struct{}, 8)
	silent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		http.NewResponseController(w).Flush()
		subscribed <- struct{}{}
		<-r.Context().Done()
	}))
	defer silent.Close()
	opts := testOptions()
	opts.Live.StreamIdle = 150 * time.Millisecond
	agg := startAggregator(t, b.URL, silent.URL, time.Second, opts)

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	_, status, resp := liveClientStatus(t, ctx, agg.URL+"/aggregator/locations/"+bedRoom+"/live")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	start := time.Now()
	recv(t, subscribed, "first subscription")
	recv(t, subscribed, "a new subscription after the idle timeout")
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Fatalf("resubscribed after %s, before the idle timeout", d)
	}
	// The client heard that live updates paused while the stream was idle:
	// connected once subscribed, then not connected.
	for ev := recv(t, status, "status event"); !strings.Contains(ev.Data, `"connected":true`); ev = recv(t, status, "status event") {
	}
	for ev := recv(t, status, "status event"); !strings.Contains(ev.Data, `"connected":false`); ev = recv(t, status, "status event") {
	}
}
