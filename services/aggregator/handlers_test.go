package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gocql/gocql"

	"github.com/find-peers/find-peers/libs/api"
	"github.com/find-peers/find-peers/libs/httpx"
	"github.com/find-peers/find-peers/libs/httpx/httpxtest"
)

// Seed data of docs/ARCHITECTURE.md: the bed room has one beacon with three users.
const (
	bedRoom       = "ce519f95-923c-4532-879e-cd19afa8dda8"
	bedRoomBeacon = "5bf966d9-8046-4fc1-ae5a-80c923ebea5a"
	seedEpoch     = 1473156000
)

// fakeBeacon is a beacon-service whose answer per location is a list; a
// missing location answers handler (if set) or [].
type fakeBeacon struct {
	byLocation map[string][]api.Beacon
	handler    http.HandlerFunc // overrides everything when set
	calls      atomic.Int64
	mu         sync.Mutex
	requestIDs []string
}

func (f *fakeBeacon) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.calls.Add(1)
	f.mu.Lock()
	f.requestIDs = append(f.requestIDs, r.Header.Get(httpx.RequestIDHeader))
	f.mu.Unlock()
	if f.handler != nil {
		f.handler(w, r)
		return
	}
	if r.URL.Path == "/healthz" {
		httpx.Healthz(w, r)
		return
	}
	loc, ok := strings.CutPrefix(r.URL.Path, "/beacons/locations/")
	if !ok {
		httpx.WriteError(w, http.StatusNotFound, "no such endpoint")
		return
	}
	bs := f.byLocation[loc]
	if bs == nil {
		bs = []api.Beacon{}
	}
	_ = httpx.WriteJSON(w, http.StatusOK, bs)
}

// fakeTracking answers GET /tracking/sightings?epochSeconds=&beaconId=a,b
// from a map, after delay, grouped per beacon in request order as tracking
// does; fail maps beacon ids to a status that a call asking for that beacon
// answers instead. calls and canceled count calls (each a chunk of beacons).
type fakeTracking struct {
	byBeacon   map[string][]api.Sighting
	delay      time.Duration
	fail       map[string]int
	calls      atomic.Int64
	canceled   atomic.Int64
	mu         sync.Mutex
	requestIDs []string
	epochs     []string
	chunks     [][]string // the beacon ids of each call, in arrival order
}

func (f *fakeTracking) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/healthz" {
		httpx.Healthz(w, r)
		return
	}
	f.calls.Add(1)
	if r.URL.Path != "/tracking/sightings" {
		httpx.WriteError(w, http.StatusNotFound, "no such endpoint")
		return
	}
	var beacons []string
	for _, v := range r.URL.Query()["beaconId"] {
		beacons = append(beacons, strings.Split(v, ",")...)
	}
	f.mu.Lock()
	f.requestIDs = append(f.requestIDs, r.Header.Get(httpx.RequestIDHeader))
	f.epochs = append(f.epochs, r.URL.Query().Get("epochSeconds"))
	f.chunks = append(f.chunks, beacons)
	f.mu.Unlock()
	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-r.Context().Done():
			f.canceled.Add(1)
			return
		}
	}
	ss := []api.Sighting{}
	for _, b := range beacons {
		if status := f.fail[b]; status != 0 {
			httpx.WriteError(w, status, "boom")
			return
		}
		ss = append(ss, f.byBeacon[b]...)
	}
	_ = httpx.WriteJSON(w, http.StatusOK, ss)
}

func seedBeacons(t testing.TB) *fakeBeacon {
	return &fakeBeacon{byLocation: map[string][]api.Beacon{
		bedRoom: {{LocationID: mustUUID(t, bedRoom), BeaconID: mustUUID(t, bedRoomBeacon), BeaconName: "Bed Room Beacon"}},
	}}
}

func seedTracking(t testing.TB) *fakeTracking {
	at := time.Unix(seedEpoch, 0).UTC()
	b := mustUUID(t, bedRoomBeacon)
	return &fakeTracking{byBeacon: map[string][]api.Sighting{
		bedRoomBeacon: {
			{BeaconID: b, TimeLogged: at, UserID: mustUUID(t, "f525cff6-721e-11e6-8b77-86f30ca893d3"), Name: "Avinash Erupaka"},
			{BeaconID: b, TimeLogged: at, UserID: mustUUID(t, "8010fa28-721f-11e6-8b77-86f30ca893d3"), Name: "Bhargavi Erupaka"},
			{BeaconID: b, TimeLogged: at, UserID: mustUUID(t, "88b66e10-721f-11e6-8b77-86f30ca893d3"), Name: "Shobha Erupaka"},
		},
	}}
}

// manyBeacons puts n beacons at loc, each seen by one user. The names are
// plain ASCII, as real ones mostly are: they take the hand-written encoder
// and decoder of libs/api, which anything else falls back from.
func manyBeacons(t testing.TB, loc string, n int) (*fakeBeacon, *fakeTracking, []string) {
	fb := &fakeBeacon{byLocation: map[string][]api.Beacon{}}
	ft := &fakeTracking{byBeacon: map[string][]api.Sighting{}}
	var ids []string
	at := time.Unix(seedEpoch, 0).UTC()
	for i := range n {
		id := gocql.UUID{0xbe, 0xac, 0x04, byte(i), byte(i >> 8)}
		user := gocql.UUID{0x05, 0xe4, byte(i), byte(i >> 8)}
		ids = append(ids, id.String())
		fb.byLocation[loc] = append(fb.byLocation[loc], api.Beacon{LocationID: mustUUID(t, loc), BeaconID: id, BeaconName: fmt.Sprintf("beacon %03d", i)})
		ft.byBeacon[id.String()] = []api.Sighting{{BeaconID: id, UserID: user, Name: fmt.Sprintf("user %03d", i), TimeLogged: at.Add(time.Duration(i) * time.Second)}}
	}
	return fb, ft, ids
}

func testOptions() options {
	return options{
		Concurrency: 16,
		Live:        liveConfig{Heartbeat: time.Second, BackoffMin: 20 * time.Millisecond, BackoffMax: 100 * time.Millisecond},
	}
}

// startAggregator serves the aggregator in front of the given upstream URLs.
func startAggregator(t testing.TB, beaconURL, trackingURL string, callTimeout time.Duration, opts options) *httptest.Server {
	t.Helper()
	return startAggregatorBatch(t, beaconURL, trackingURL, callTimeout, opts, 0)
}

// startAggregatorBatch is startAggregator asking tracking for at most batch
// beacons a call (0: the default).
func startAggregatorBatch(t testing.TB, beaconURL, trackingURL string, callTimeout time.Duration, opts options, batch int) *httptest.Server {
	t.Helper()
	bu, err := url.Parse(beaconURL)
	if err != nil {
		t.Fatal(err)
	}
	tu, err := url.Parse(trackingURL)
	if err != nil {
		t.Fatal(err)
	}
	up := &Upstreams{Beacon: bu, Tracking: tu, HTTP: httpx.NewClient(0), CallTimeout: callTimeout, TrackingBatch: batch}
	logger := slog.New(slog.DiscardHandler)
	srv := httptest.NewServer(routes(up, opts, httpxtest.Ops(), logger))
	t.Cleanup(srv.Close)
	return srv
}

func startUpstreams(t testing.TB, beacon, tracking http.Handler) (beaconURL, trackingURL string) {
	t.Helper()
	b := httptest.NewServer(beacon)
	t.Cleanup(b.Close)
	tr := httptest.NewServer(tracking)
	t.Cleanup(tr.Close)
	return b.URL, tr.URL
}

// getJSON GETs url and decodes a JSON answer into dst (if not nil).
func get(t testing.TB, target string, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, target, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func wantError(t testing.TB, resp *http.Response, body []byte, status int, contains ...string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d; body %s", resp.StatusCode, status, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want JSON", ct)
	}
	var e api.Error
	if err := json.Unmarshal(body, &e); err != nil || e.Error == "" {
		t.Fatalf("body %s is not {\"error\": ...}: %v", body, err)
	}
	for _, c := range contains {
		if !strings.Contains(e.Error, c) {
			t.Fatalf("error %q does not mention %q", e.Error, c)
		}
	}
}

func TestUsersAtLocationMergesSeedData(t *testing.T) {
	fb, ft := seedBeacons(t), seedTracking(t)
	bu, tu := startUpstreams(t, fb, ft)
	agg := startAggregator(t, bu, tu, time.Second, testOptions())

	resp, body := get(t, agg.URL+"/aggregator/locations/"+bedRoom+"/1473157000", http.Header{httpx.RequestIDHeader: {"test-req-1"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var users []api.UserAtLocation
	if err := json.Unmarshal(body, &users); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range users {
		if u.BeaconName != "Bed Room Beacon" || !u.TimeLogged.Equal(time.Unix(seedEpoch, 0)) {
			t.Errorf("unexpected entry %+v", u)
		}
		names = append(names, u.Name)
	}
	// Same time: ordered by user id (f525... sorts after 8010... and 88b6...).
	if got, want := strings.Join(names, ","), "Bhargavi Erupaka,Shobha Erupaka,Avinash Erupaka"; got != want {
		t.Fatalf("names %s, want %s", got, want)
	}
	// JSON names of the contract, RFC 3339 UTC.
	if !strings.Contains(string(body), `"userId":"8010fa28-721f-11e6-8b77-86f30ca893d3","name":"Bhargavi Erupaka","timeLogged":"2016-09-06T10:00:00Z","beaconName":"Bed Room Beacon"`) {
		t.Fatalf("body not in the contract's shape: %s", body)
	}
	if resp.Header.Get(httpx.RequestIDHeader) != "test-req-1" {
		t.Fatalf("response request id %q", resp.Header.Get(httpx.RequestIDHeader))
	}
	if fb.requestIDs[0] != "test-req-1" || ft.requestIDs[0] != "test-req-1" {
		t.Fatalf("request id not forwarded: beacon saw %q, tracking saw %q", fb.requestIDs, ft.requestIDs)
	}
	if ft.epochs[0] != "1473157000" {
		t.Fatalf("tracking asked for epoch %q", ft.epochs[0])
	}
}

func TestUsersAtLocationWithoutBeaconsIsEmptyList(t *testing.T) {
	fb, ft := seedBeacons(t), seedTracking(t)
	bu, tu := startUpstreams(t, fb, ft)
	agg := startAggregator(t, bu, tu, time.Second, testOptions())
	resp, body := get(t, agg.URL+"/aggregator/locations/00000000-0000-0000-0000-000000000001/1473157000", nil)
	if resp.StatusCode != http.StatusOK || strings.TrimSpace(string(body)) != "[]" {
		t.Fatalf("got %d %s, want 200 []", resp.StatusCode, body)
	}
	if ft.calls.Load() != 0 {
		t.Fatalf("tracking called %d times for no beacons", ft.calls.Load())
	}
}

func TestUsersAtLocationRejectsBadInputBeforeCallingUpstreams(t *testing.T) {
	fb, ft := seedBeacons(t), seedTracking(t)
	bu, tu := startUpstreams(t, fb, ft)
	agg := startAggregator(t, bu, tu, time.Second, testOptions())
	for _, path := range []string{
		"/aggregator/locations/not-a-uuid/1473157000",
		"/aggregator/locations/ce519f95-923c-4532-879e-cd19afa8dda/1473157000",
		"/aggregator/locations/" + bedRoom + "/yesterday",
		"/aggregator/locations/" + bedRoom + "/-1",
		"/aggregator/locations/" + bedRoom + "/1.5",
		"/aggregator/locations/" + bedRoom + "/99999999999999999999",
		"/aggregator/locations/" + bedRoom + "/253402300800",
		"/aggregator/locations/not-a-uuid/live",
	} {
		resp, body := get(t, agg.URL+path, nil)
		wantError(t, resp, body, http.StatusBadRequest)
	}
	if n := fb.calls.Load() + ft.calls.Load(); n != 0 {
		t.Fatalf("%d upstream calls for bad input", n)
	}
}

func TestUnknownPathIsJSON404(t *testing.T) {
	bu, tu := startUpstreams(t, seedBeacons(t), seedTracking(t))
	agg := startAggregator(t, bu, tu, time.Second, testOptions())
	resp, body := get(t, agg.URL+"/aggregator/nope", nil)
	wantError(t, resp, body, http.StatusNotFound)
}

func TestBeaconServiceFailures(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	downURL := down.URL
	down.Close() // connection refused from now on

	slow := &fakeBeacon{handler: func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
	}}
	broken := &fakeBeacon{handler: func(w http.ResponseWriter, r *http.Request) {
		httpx.WriteError(w, http.StatusInternalServerError, "cassandra down")
	}}
	notFound := &fakeBeacon{handler: func(w http.ResponseWriter, r *http.Request) {
		httpx.WriteError(w, http.StatusNotFound, "no such location")
	}}
	garbage := &fakeBeacon{handler: func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"not":"a list"}`)
	}}
	serve := func(h http.Handler) string {
		s := httptest.NewServer(h)
		t.Cleanup(s.Close)
		return s.URL
	}
	tests := []struct {
		name     string
		beacon   string
		status   int
		contains string
	}{
		{"unreachable", downURL, http.StatusServiceUnavailable, "beacon-service is unreachable"},
		{"timeout", serve(slow), http.StatusGatewayTimeout, "beacon-service timed out"},
		{"5xx", serve(broken), http.StatusBadGateway, "status 500"},
		{"404", serve(notFound), http.StatusNotFound, bedRoom},
		{"bad body", serve(garbage), http.StatusBadGateway, "bad body"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ft := seedTracking(t)
			tr := httptest.NewServer(ft)
			defer tr.Close()
			agg := startAggregator(t, tc.beacon, tr.URL, 200*time.Millisecond, testOptions())
			start := time.Now()
			resp, body := get(t, agg.URL+"/aggregator/locations/"+bedRoom+"/1473157000", nil)
			wantError(t, resp, body, tc.status, tc.contains)
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("took %s", d)
			}
			if strings.Contains(string(body), "127.0.0.1") {
				t.Fatalf("error leaks internal address: %s", body)
			}
			if ft.calls.Load() != 0 {
				t.Fatal("tracking called although beacon-service failed")
			}
		})
	}
}

// TestTrackingFailureIs502NamingTheBeacon: a failing call names every beacon
// it asked for, and only those.
func TestTrackingFailureIs502NamingTheBeacon(t *testing.T) {
	const loc = "68dce417-460a-4509-acdf-c5401afd652f"
	fb, ft, ids := manyBeacons(t, loc, 5)
	ft.fail = map[string]int{ids[3]: http.StatusInternalServerError}
	bu, tu := startUpstreams(t, fb, ft)
	agg := startAggregatorBatch(t, bu, tu, time.Second, testOptions(), 2) // calls: [0 1] [2 3] [4]
	resp, body := get(t, agg.URL+"/aggregator/locations/"+loc+"/1473157000", nil)
	wantError(t, resp, body, http.StatusBadGateway, ids[2], ids[3], "status 500")
	for _, i := range []int{0, 1, 4} {
		if strings.Contains(string(body), ids[i]) {
			t.Fatalf("healthy beacon %s named in %s", ids[i], body)
		}
	}
}

// TestTrackingAnswerForAnotherBeaconIs502: a sighting of a beacon the call
// did not ask for cannot be placed; the answer is a 502, not a guess.
func TestTrackingAnswerForAnotherBeaconIs502(t *testing.T) {
	const loc = "68dce417-460a-4509-acdf-c5401afd652f"
	fb, _, ids := manyBeacons(t, loc, 2)
	stranger := gocql.UUID{0x57}
	tracking := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = httpx.WriteJSON(w, http.StatusOK, []api.Sighting{{BeaconID: stranger, Name: "x", TimeLogged: time.Unix(seedEpoch, 0).UTC()}})
	})
	bu, tu := startUpstreams(t, fb, tracking)
	agg := startAggregator(t, bu, tu, time.Second, testOptions())
	resp, body := get(t, agg.URL+"/aggregator/locations/"+loc+"/1473157000", nil)
	wantError(t, resp, body, http.StatusBadGateway, ids[0], ids[1], "bad body")
}

// Tracking groups its answer per beacon, and SightingsOf hands each run
// out as it is; a beacon whose sightings come in two runs still counts
// them all.
func TestTrackingAnswerInterleavedIsMergedWhole(t *testing.T) {
	const loc = "68dce417-460a-4509-acdf-c5401afd652f"
	fb, _, ids := manyBeacons(t, loc, 2)
	at := time.Unix(seedEpoch, 0).UTC()
	a, b := mustUUID(t, ids[0]), mustUUID(t, ids[1])
	tracking := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = httpx.WriteJSON(w, http.StatusOK, []api.Sighting{
			{BeaconID: a, UserID: gocql.UUID{1}, Name: "a1", TimeLogged: at},
			{BeaconID: b, UserID: gocql.UUID{2}, Name: "b1", TimeLogged: at},
			{BeaconID: a, UserID: gocql.UUID{3}, Name: "a2", TimeLogged: at},
		})
	})
	bu, tu := startUpstreams(t, fb, tracking)
	agg := startAggregator(t, bu, tu, time.Second, testOptions())
	resp, body := get(t, agg.URL+"/aggregator/locations/"+loc+"/1473157000", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	for _, name := range []string{"a1", "b1", "a2"} {
		if !strings.Contains(string(body), `"name":"`+name+`"`) {
			t.Errorf("no %s in %s", name, body)
		}
	}
}

func TestTrackingTimeoutIs502NamingTheBeacon(t *testing.T) {
	const loc = "68dce417-460a-4509-acdf-c5401afd652f"
	fb, ft, ids := manyBeacons(t, loc, 1)
	ft.delay = 5 * time.Second
	bu, tu := startUpstreams(t, fb, ft)
	agg := startAggregator(t, bu, tu, 150*time.Millisecond, testOptions())
	start := time.Now()
	resp, body := get(t, agg.URL+"/aggregator/locations/"+loc+"/1473157000", nil)
	wantError(t, resp, body, http.StatusBadGateway, ids[0], "timeout")
	if d := time.Since(start); d > time.Second {
		t.Fatalf("took %s despite a 150ms call timeout", d)
	}
}

func TestTrackingUnreachableIs502(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	fb := seedBeacons(t)
	b := httptest.NewServer(fb)
	defer b.Close()
	agg := startAggregator(t, b.URL, down.URL, time.Second, testOptions())
	resp, body := get(t, agg.URL+"/aggregator/locations/"+bedRoom+"/1473157000", nil)
	wantError(t, resp, body, http.StatusBadGateway, bedRoomBeacon, "unreachable")
}

// TestFanOutRunsInParallel: 5 beacons asked for one per call, each call
// taking 200 ms, must be answered in about one delay, not five.
func TestFanOutRunsInParallel(t *testing.T) {
	const loc = "68dce417-460a-4509-acdf-c5401afd652f"
	const delay = 200 * time.Millisecond
	fb, ft, _ := manyBeacons(t, loc, 5)
	ft.delay = delay
	bu, tu := startUpstreams(t, fb, ft)
	agg := startAggregatorBatch(t, bu, tu, 2*time.Second, testOptions(), 1)

	start := time.Now()
	resp, body := get(t, agg.URL+"/aggregator/locations/"+loc+"/1473157000", nil)
	elapsed := time.Since(start)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var users []api.UserAtLocation
	if err := json.Unmarshal(body, &users); err != nil || len(users) != 5 {
		t.Fatalf("got %d users (%v): %s", len(users), err, body)
	}
	if users[0].Name != "user 004" || users[4].Name != "user 000" {
		t.Fatalf("not newest first: %+v", users)
	}
	if n := ft.calls.Load(); n != 5 {
		t.Fatalf("%d tracking calls, want 5", n)
	}
	if elapsed >= 2*delay {
		t.Fatalf("5 calls of %s took %s: not parallel", delay, elapsed)
	}
	t.Logf("5 x %s answered in %s", delay, elapsed)
}

// TestFanOutBatchesBeacons: 250 beacons are 3 tracking calls of at most 100
// (tracking's maximum), every beacon asked for once, every user answered.
func TestFanOutBatchesBeacons(t *testing.T) {
	const loc = "68dce417-460a-4509-acdf-c5401afd652f"
	fb, ft, ids := manyBeacons(t, loc, 250)
	bu, tu := startUpstreams(t, fb, ft)
	agg := startAggregator(t, bu, tu, 2*time.Second, testOptions())
	resp, body := get(t, agg.URL+"/aggregator/locations/"+loc+"/1473157000", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var users []api.UserAtLocation
	if err := json.Unmarshal(body, &users); err != nil || len(users) != 250 {
		t.Fatalf("got %d users (%v)", len(users), err)
	}
	asked := map[string]int{}
	for _, c := range ft.chunks {
		if len(c) > defaultTrackingBatch {
			t.Errorf("a call asked for %d beacons, more than %d", len(c), defaultTrackingBatch)
		}
		for _, id := range c {
			asked[id]++
		}
	}
	if len(ft.chunks) != 3 || len(asked) != len(ids) {
		t.Fatalf("%d calls for %d distinct beacons, want 3 for %d", len(ft.chunks), len(asked), len(ids))
	}
	for id, n := range asked {
		if n != 1 {
			t.Fatalf("beacon %s asked for %d times", id, n)
		}
	}
}

// TestClientCancelCancelsUpstreamCalls: when the client gives up, the
// aggregator's tracking calls are canceled too, not left running.
func TestClientCancelCancelsUpstreamCalls(t *testing.T) {
	const loc = "68dce417-460a-4509-acdf-c5401afd652f"
	fb, ft, _ := manyBeacons(t, loc, 3)
	ft.delay = 10 * time.Second
	bu, tu := startUpstreams(t, fb, ft)
	agg := startAggregatorBatch(t, bu, tu, 20*time.Second, testOptions(), 1) // 3 calls

	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, agg.URL+"/aggregator/locations/"+loc+"/1473157000", nil)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("request succeeded with %d, want client timeout", resp.StatusCode)
	}
	deadline := time.Now().Add(2 * time.Second)
	for ft.canceled.Load() < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of 3 tracking calls canceled after the client left", ft.canceled.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestOpenAPIRequestID keeps the documented X-Request-Id in step with
// httpx.RequestID: any value is accepted (an unusable one is replaced, not
// rejected), so the request header has no constraint, and the id used, on
// the response, has the shape httpx.RequestIDPattern states.
func TestOpenAPIRequestID(t *testing.T) {
	doc := string(openAPI)
	if !strings.Contains(doc, "schema: {type: string, pattern: '"+httpx.RequestIDPattern+"'}") {
		t.Errorf("openapi.yaml: the X-Request-Id response header lacks pattern %s", httpx.RequestIDPattern)
	}
	i := strings.Index(doc, "name: X-Request-Id\n      in: header\n")
	if i < 0 {
		t.Fatal("openapi.yaml lacks the X-Request-Id parameter")
	}
	param, _, _ := strings.Cut(doc[i:], "\n    headers:")
	_, schema, _ := strings.Cut(param, "\n      schema: ")
	if schema, _, _ = strings.Cut(schema, "\n"); schema != "{type: string}" {
		t.Errorf("openapi.yaml: X-Request-Id parameter schema %q, want {type: string}: httpx.RequestID accepts any value", schema)
	}
}

func TestHealthReadyMetricsOpenAPI(t *testing.T) {
	bu, tu := startUpstreams(t, seedBeacons(t), seedTracking(t))
	agg := startAggregator(t, bu, tu, time.Second, testOptions())
	for path, want := range map[string]string{
		"/healthz":      `"status":"ok"`,
		"/readyz":       `"tracking-service":"ok"`,
		"/openapi.yaml": "openapi: 3.0",
	} {
		resp, body := get(t, agg.URL+path, nil)
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
			t.Errorf("%s: %d %s", path, resp.StatusCode, body)
		}
	}
	get(t, agg.URL+"/aggregator/locations/"+bedRoom+"/1473157000", nil)
	resp, body := get(t, agg.URL+"/metrics", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `route="/aggregator/locations/{locationId}/{epochSeconds}"`) {
		t.Errorf("/metrics: %d, no per-route series:\n%s", resp.StatusCode, body)
	}

	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	agg2 := startAggregator(t, bu, down.URL, time.Second, testOptions())
	resp, body = get(t, agg2.URL+"/readyz", nil)
	wantError(t, resp, body, http.StatusServiceUnavailable, "tracking-service")
}
