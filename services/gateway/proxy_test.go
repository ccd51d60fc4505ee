package main

import (
	"bufio"
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
)

// seen is what a fake upstream received.
type seen struct {
	Upstream string
	Method   string
	URI      string
	Host     string
	Header   http.Header
	Body     string
}

// echo is a fake upstream that records each request and answers JSON.
type echo struct {
	name string
	mu   sync.Mutex
	got  []seen
}

func (e *echo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s := seen{Upstream: e.name, Method: r.Method, URI: r.RequestURI, Host: r.Host, Header: r.Header.Clone(), Body: string(body)}
	e.mu.Lock()
	e.got = append(e.got, s)
	e.mu.Unlock()
	if r.URL.Path == "/healthz" {
		httpx.Healthz(w, r)
		return
	}
	w.Header().Set(httpx.RequestIDHeader, r.Header.Get(httpx.RequestIDHeader))
	_ = httpx.WriteJSON(w, http.StatusOK, s)
}

func (e *echo) last(t *testing.T) seen {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.got) == 0 {
		t.Fatalf("%s received nothing", e.name)
	}
	return e.got[len(e.got)-1]
}

func (e *echo) count() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.got)
}

func testOptions() options {
	return options{
		Access:    openAccess(),
		MaxBody:   1024,
		Transport: transportConfig{DialTimeout: time.Second, ResponseHeaderTimeout: 2 * time.Second},
	}
}

func serveUpstream(t testing.TB, h http.Handler) *url.URL {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	u, _ := url.Parse(s.URL)
	return u
}

func deadURL(t testing.TB) *url.URL {
	t.Helper()
	s := httptest.NewServer(http.NotFoundHandler())
	s.Close() // connection refused from now on
	u, _ := url.Parse(s.URL)
	return u
}

// startGateway serves the gateway in front of the three given handlers.
func startGateway(t testing.TB, opts options, beacon, tracking, aggregator *url.URL) *httptest.Server {
	t.Helper()
	ups := []upstream{
		{Name: "beacon-service", Prefix: "/beacons", URL: beacon},
		{Name: "tracking-service", Prefix: "/tracking", URL: tracking},
		{Name: "aggregator-service", Prefix: "/aggregator", URL: aggregator},
	}
	gw := httptest.NewServer(routes(ups, opts, httpxtest.Ops(), slog.New(slog.DiscardHandler)))
	t.Cleanup(gw.Close)
	return gw
}

type fixture struct {
	beacon, tracking, aggregator *echo
	gw                           *httptest.Server
}

func newFixture(t *testing.T) *fixture {
	f := &fixture{beacon: &echo{name: "beacon"}, tracking: &echo{name: "tracking"}, aggregator: &echo{name: "aggregator"}}
	f.gw = startGateway(t, testOptions(), serveUpstream(t, f.beacon), serveUpstream(t, f.tracking), serveUpstream(t, f.aggregator))
	return f
}

func do(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.DefaultTransport.RoundTrip(req)
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

func newReq(t *testing.T, method, target string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	// Every test request carries the test write key; the access tests
	// (auth_test.go) set or delete it themselves.
	req.Header.Set("Authorization", "Bearer "+testKeys().write)
	return req
}

func wantJSONError(t *testing.T, resp *http.Response, body []byte, status int, contains string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d: %s", resp.StatusCode, status, body)
	}
	var e api.Error
	if err := json.Unmarshal(body, &e); err != nil || !strings.Contains(e.Error, contains) {
		t.Fatalf("body %s: want JSON error containing %q (%v)", body, contains, err)
	}
}

func TestRoutesEachPrefix(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		method, path string
		up           *echo
	}{
		{"GET", "/beacons/locations/ce519f95-923c-4532-879e-cd19afa8dda8", f.beacon},
		{"GET", "/beacons/locations?limit=2&page=EIk0DkbtsBHx", f.beacon}, // query kept as sent
		{"POST", "/beacons", f.beacon},
		{"GET", "/tracking/beacons/5bf966d9-8046-4fc1-ae5a-80c923ebea5a/1473156000", f.tracking},
		{"GET", "/tracking/events?beaconId=a&beaconId=b", f.tracking},
		{"GET", "/aggregator/locations/ce519f95-923c-4532-879e-cd19afa8dda8/1473156000", f.aggregator},
		{"GET", "/aggregator/a%2Fb", f.aggregator}, // escaped path kept as sent
	}
	for _, tc := range tests {
		var body io.Reader
		if tc.method == "POST" {
			body = strings.NewReader(`{"beaconName":"x"}`)
		}
		req := newReq(t, tc.method, f.gw.URL+tc.path, body)
		resp, got := do(t, req)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s %s: %d %s", tc.method, tc.path, resp.StatusCode, got)
		}
		s := tc.up.last(t)
		if s.URI != tc.path || s.Method != tc.method {
			t.Errorf("%s %s reached %s as %s %s", tc.method, tc.path, s.Upstream, s.Method, s.URI)
		}
		if tc.method == "POST" && s.Body != `{"beaconName":"x"}` {
			t.Errorf("body %q not forwarded", s.Body)
		}
	}
	if n := f.beacon.count() + f.tracking.count() + f.aggregator.count(); n != len(tests) {
		t.Fatalf("%d upstream requests, want %d (misrouting)", n, len(tests))
	}
	for _, path := range []string{"/beaconsX", "/nope", "/aggregatorx/locations", "/healthz/x"} {
		resp, body := do(t, newReq(t, "GET", f.gw.URL+path, nil))
		wantJSONError(t, resp, body, http.StatusNotFound, "")
	}
}

func TestIndexAndOwnEndpoints(t *testing.T) {
	f := newFixture(t)
	// In order: /metrics shows http_requests_total only once a request has
	// been counted.
	for _, tc := range []struct{ path, want string }{
		{"/", "<title>find-peers: who is here?</title>"},
		{"/ui/app.js", `from "./api.js"`},
		{"/ui/style.css", ".people"},
		{"/healthz", `"status":"ok"`},
		{"/readyz", `"aggregator-service":"ok"`},
		{"/openapi.yaml", "/aggregator/locations/{locationId}/live:"},
		{"/metrics", "http_requests_total"},
	} {
		path, want := tc.path, tc.want
		resp, body := do(t, newReq(t, "GET", f.gw.URL+path, nil))
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
			t.Errorf("GET %s: %d, missing %q", path, resp.StatusCode, want)
		}
	}
	if n := f.beacon.count() + f.tracking.count() + f.aggregator.count(); n != 3 {
		t.Fatalf("%d upstream requests, want the 3 readiness probes", n)
	}
}

func TestReadyzFailsWhenAnUpstreamIsDown(t *testing.T) {
	gw := startGateway(t, testOptions(), serveUpstream(t, &echo{}), deadURL(t), serveUpstream(t, &echo{}))
	resp, body := do(t, newReq(t, "GET", gw.URL+"/readyz", nil))
	wantJSONError(t, resp, body, http.StatusServiceUnavailable, "tracking-service")
}

func TestRequestIDSetAndForwarded(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name, sent string
		keep       bool
	}{
		{"sane id kept", "client-id-123", true},
		{"missing id generated", "", false},
		{"id with spaces replaced", "a b", false},
		{"overlong id replaced", strings.Repeat("x", 200), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := newReq(t, "GET", f.gw.URL+"/beacons/x", nil)
			if tc.sent != "" {
				req.Header.Set(httpx.RequestIDHeader, tc.sent)
			}
			resp, _ := do(t, req)
			ids := resp.Header.Values(httpx.RequestIDHeader)
			if len(ids) != 1 {
				t.Fatalf("response has request ids %q, want exactly one", ids)
			}
			upstreamSaw := f.beacon.last(t).Header.Values(httpx.RequestIDHeader)
			if len(upstreamSaw) != 1 || upstreamSaw[0] != ids[0] {
				t.Fatalf("upstream saw %q, client got %q", upstreamSaw, ids[0])
			}
			if tc.keep && ids[0] != tc.sent {
				t.Fatalf("id %q replaced by %q", tc.sent, ids[0])
			}
			if !tc.keep && (ids[0] == tc.sent || !httpx.ValidRequestID(ids[0])) {
				t.Fatalf("id %q not replaced by a fresh one (%q)", tc.sent, ids[0])
			}
		})
	}
}

func TestForwardedHeadersAndHost(t *testing.T) {
	f := newFixture(t)
	req := newReq(t, "GET", f.gw.URL+"/tracking/x", nil)
	req.Header.Set("X-Forwarded-For", "6.6.6.6") // a client's claim is not trusted
	req.Header.Set("X-Forwarded-Host", "evil.example")
	do(t, req)
	s := f.tracking.last(t)
	gwHost := strings.TrimPrefix(f.gw.URL, "http://")
	if got := s.Header.Get("X-Forwarded-For"); got != "127.0.0.1" {
		t.Errorf("X-Forwarded-For = %q", got)
	}
	if got := s.Header.Get("X-Forwarded-Host"); got != gwHost {
		t.Errorf("X-Forwarded-Host = %q, want %q", got, gwHost)
	}
	if got := s.Header.Get("X-Forwarded-Proto"); got != "http" {
		t.Errorf("X-Forwarded-Proto = %q", got)
	}
	if s.Host == gwHost {
		t.Errorf("upstream saw the gateway's Host %q, want its own", s.Host)
	}
}

func TestHopByHopHeadersStripped(t *testing.T) {
	var upstreamHeader http.Header
	up := serveUpstream(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		upstreamHeader = r.Header.Clone()
		w.Header().Set("Connection", "X-Upstream-Hop")
		w.Header().Set("X-Upstream-Hop", "secret")
		w.Header().Set("Keep-Alive", "timeout=5")
		w.Header().Set("Proxy-Authenticate", "Basic")
		w.Header().Set("X-End-To-End", "kept")
		w.WriteHeader(http.StatusOK)
	}))
	gw := startGateway(t, testOptions(), up, up, up)
	req := newReq(t, "GET", gw.URL+"/beacons/x", nil)
	req.Header.Set("Connection", "X-Client-Hop")
	req.Header.Set("X-Client-Hop", "secret")
	req.Header.Set("Proxy-Authorization", "Basic Zm9vOmJhcg==")
	req.Header.Set("Te", "trailers, deflate")
	req.Header.Set("X-End-To-End", "kept")
	resp, _ := do(t, req)
	for _, h := range []string{"X-Client-Hop", "Proxy-Authorization", "Keep-Alive"} {
		if v := upstreamHeader.Get(h); v != "" {
			t.Errorf("upstream received hop-by-hop %s: %q", h, v)
		}
	}
	if te := upstreamHeader.Get("Te"); te != "" && te != "trailers" {
		t.Errorf("upstream received Te %q", te)
	}
	if upstreamHeader.Get("X-End-To-End") != "kept" {
		t.Error("end-to-end request header dropped")
	}
	for _, h := range []string{"X-Upstream-Hop", "Keep-Alive", "Proxy-Authenticate"} {
		if v := resp.Header.Get(h); v != "" {
			t.Errorf("client received hop-by-hop %s: %q", h, v)
		}
	}
	if resp.Header.Get("X-End-To-End") != "kept" {
		t.Error("end-to-end response header dropped")
	}
}

// TestEventStreamPassesThroughUnbuffered: an event reaches the client while
// the upstream is still holding the stream open.
func TestEventStreamPassesThroughUnbuffered(t *testing.T) {
	release := make(chan struct{})
	up := serveUpstream(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, "data: {\"n\":1}\n\n")
		http.NewResponseController(w).Flush()
		select { // hold the stream open until the client has seen the event
		case <-release:
		case <-r.Context().Done():
		}
	}))
	gw := startGateway(t, testOptions(), up, up, up)
	defer close(release)

	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", gw.URL+"/tracking/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil {
		t.Fatalf("no event before the upstream ended the stream: %v", err)
	}
	if line != "data: {\"n\":1}\n" {
		t.Fatalf("first line %q", line)
	}
}

func TestUpstreamFailures(t *testing.T) {
	slow := serveUpstream(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
	}))
	hangup := serveUpstream(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close() // no answer at all
		}
	}))
	opts := testOptions()
	opts.Transport.ResponseHeaderTimeout = 200 * time.Millisecond
	gw := startGateway(t, opts, deadURL(t), slow, hangup)
	tests := []struct {
		path     string
		status   int
		contains string
		within   time.Duration
	}{
		{"/beacons/locations/x", http.StatusServiceUnavailable, "beacon-service is unavailable", time.Second},
		{"/tracking/beacons/x/1", http.StatusGatewayTimeout, "tracking-service timed out", 2 * time.Second},
		{"/aggregator/locations/x/1", http.StatusBadGateway, "aggregator-service failed", time.Second},
	}
	for _, tc := range tests {
		start := time.Now()
		resp, body := do(t, newReq(t, "GET", gw.URL+tc.path, nil))
		wantJSONError(t, resp, body, tc.status, tc.contains)
		if d := time.Since(start); d > tc.within {
			t.Errorf("%s answered in %s, want < %s", tc.path, d, tc.within)
		}
		if resp.Header.Get(httpx.RequestIDHeader) == "" {
			t.Errorf("%s: error answer without request id", tc.path)
		}
	}
	resp, body := do(t, newReq(t, "GET", gw.URL+"/metrics", nil))
	if resp.StatusCode != 200 || !strings.Contains(string(body), `gateway_upstream_errors_total{status="503",upstream="beacon-service"} 1`) {
		t.Errorf("upstream error metric missing:\n%s", body)
	}
}

// TestGoneUpstreamIs503AfterDialTimeout: an upstream address that does not
// answer at all (a replica gone, its SYNs unanswered) is a 503 after
// -dial-timeout, not a wait for the response header timeout.
func TestGoneUpstreamIs503AfterDialTimeout(t *testing.T) {
	opts := testOptions()
	opts.Transport.DialTimeout = 150 * time.Millisecond
	opts.Transport.ResponseHeaderTimeout = 5 * time.Second
	gone, _ := url.Parse("http://" + httpxtest.Blackhole(t))
	gw := startGateway(t, opts, gone, serveUpstream(t, &echo{}), serveUpstream(t, &echo{}))
	start := time.Now()
	resp, body := do(t, newReq(t, "GET", gw.URL+"/beacons/locations/x", nil))
	wantJSONError(t, resp, body, http.StatusServiceUnavailable, "beacon-service is unavailable")
	if d := time.Since(start); d > time.Second {
		t.Errorf("answered after %s: the 150ms dial timeout did not end the connect", d)
	}
}

func TestOversizedBodyRejected(t *testing.T) {
	f := newFixture(t)
	big := strings.Repeat("x", 2048) // limit is 1024

	// Declared length: refused before the upstream is involved.
	resp, body := do(t, newReq(t, "POST", f.gw.URL+"/tracking/sightings", strings.NewReader(big)))
	wantJSONError(t, resp, body, http.StatusRequestEntityTooLarge, "1024")
	if f.tracking.count() != 0 {
		t.Fatal("oversized body reached the upstream")
	}

	// Chunked (no length): cut off at the limit while streaming.
	req := newReq(t, "POST", f.gw.URL+"/tracking/sightings", io.MultiReader(strings.NewReader(big)))
	req.ContentLength = -1
	resp, body = do(t, req)
	wantJSONError(t, resp, body, http.StatusRequestEntityTooLarge, "1024")

	// At the limit: fine.
	resp, body = do(t, newReq(t, "POST", f.gw.URL+"/tracking/sightings", strings.NewReader(big[:1024])))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("body at the limit: %d %s", resp.StatusCode, body)
	}
}

// startRealServer runs the gateway with httpx.ServeListener and the given
// server limits, as main does.
func startRealServer(t *testing.T, cfg httpx.ServerConfig, up *url.URL) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ups := []upstream{
		{Name: "beacon-service", Prefix: "/beacons", URL: up},
		{Name: "tracking-service", Prefix: "/tracking", URL: up},
		{Name: "aggregator-service", Prefix: "/aggregator", URL: up},
	}
	logger := slog.New(slog.DiscardHandler)
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = httpx.ServeListener(ctx, ln, cfg, routes(ups, testOptions(), httpxtest.Ops(), logger), logger)
	}()
	t.Cleanup(func() { stop(); <-done })
	return "http://" + ln.Addr().String()
}

func TestOversizedHeaderRejected(t *testing.T) {
	e := &echo{name: "beacon"}
	gw := startRealServer(t, httpx.ServerConfig{MaxHeaderBytes: 4096, ShutdownTimeout: time.Second}, serveUpstream(t, e))
	req := newReq(t, "GET", gw+"/beacons/x", nil)
	req.Header.Set("X-Big", strings.Repeat("x", 16<<10))
	resp, _ := do(t, req)
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("status %d, want 431", resp.StatusCode)
	}
	if e.count() != 0 {
		t.Fatal("oversized header reached the upstream")
	}
}

// TestEventStreamOutlivesServerTimeouts: the read and write timeouts protect
// ordinary requests; a proxied event stream must survive them.
func TestEventStreamOutlivesServerTimeouts(t *testing.T) {
	up := serveUpstream(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		for i := range 3 {
			fmt.Fprintf(w, "data: %d\n\n", i)
			http.NewResponseController(w).Flush()
			time.Sleep(250 * time.Millisecond)
		}
	}))
	gw := startRealServer(t, httpx.ServerConfig{ReadTimeout: 150 * time.Millisecond, WriteTimeout: 150 * time.Millisecond, ShutdownTimeout: time.Second}, up)
	resp, body := do(t, newReq(t, "GET", gw+"/aggregator/locations/x/live", nil))
	if resp.StatusCode != http.StatusOK || string(body) != "data: 0\n\ndata: 1\n\ndata: 2\n\n" {
		t.Fatalf("stream cut short: %d %q", resp.StatusCode, body)
	}
}

func TestPageIsConfinedToItsOrigin(t *testing.T) {
	f := newFixture(t)
	for path, ctype := range map[string]string{"/": "text/html", "/ui/app.js": "text/javascript", "/ui/style.css": "text/css"} {
		resp, _ := do(t, newReq(t, "GET", f.gw.URL+path, nil))
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), ctype) {
			t.Errorf("GET %s: %d %q, want 200 %s", path, resp.StatusCode, resp.Header.Get("Content-Type"), ctype)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "connect-src 'self'") {
			t.Errorf("GET %s: Content-Security-Policy %q", path, csp)
		}
	}
	resp, _ := do(t, newReq(t, "GET", f.gw.URL+"/ui/missing.js", nil))
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /ui/missing.js: %d, want 404", resp.StatusCode)
	}
}
