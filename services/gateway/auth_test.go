package main

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/find-peers/find-peers/libs/apikey"
)

// accessFixture is a gateway with the given access control in front of
// echo upstreams.
func accessFixture(t *testing.T, access accessConfig) *fixture {
	t.Helper()
	f := &fixture{beacon: &echo{name: "beacon"}, tracking: &echo{name: "tracking"}, aggregator: &echo{name: "aggregator"}}
	opts := testOptions()
	opts.Access = access
	f.gw = startGateway(t, opts, serveUpstream(t, f.beacon), serveUpstream(t, f.tracking), serveUpstream(t, f.aggregator))
	return f
}

// call sends method path with auth as the Authorization header ("" for
// none) and returns the answer.
func call(t *testing.T, f *fixture, method, path, auth string) (*http.Response, []byte) {
	t.Helper()
	var body *strings.Reader
	if method == http.MethodPost {
		body = strings.NewReader(`{"beaconName":"x"}`)
	} else {
		body = strings.NewReader("")
	}
	req := newReq(t, method, f.gw.URL+path, body)
	req.Header.Del("Authorization")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	return do(t, req)
}

const (
	sightingsPath = "/tracking/sightings"
	beaconsPath   = "/beacons"
	readPath      = "/beacons/locations"
	livePath      = "/aggregator/locations/ce519f95-923c-4532-879e-cd19afa8dda8/live"
)

func TestAccessRules(t *testing.T) {
	k := testKeys()
	f := accessFixture(t, openAccess())
	unknown, _, _, _ := apikey.NewToken()
	wrongSecret := k.write[:len(apikey.Prefix)+16] + k.read[len(apikey.Prefix)+16:]
	for _, c := range []struct {
		name, method, path, auth string
		status                   int
		msg, challenge           string
	}{
		{"write with a write key", "POST", sightingsPath, "Bearer " + k.write, 200, "", ""},
		{"beacon write with a write key", "POST", beaconsPath, "bearer " + k.write, 200, "", ""},
		{"no credential", "POST", sightingsPath, "", 401, "API key required", `Bearer realm="find-peers"`},
		{"no credential, beacons", "POST", beaconsPath, "", 401, "API key required", `Bearer realm="find-peers"`},
		{"unknown key", "POST", sightingsPath, "Bearer " + unknown, 401, "invalid or revoked API key", `error="invalid_token"`},
		{"wrong secret", "POST", sightingsPath, "Bearer " + wrongSecret, 401, "invalid or revoked API key", `error="invalid_token"`},
		{"garbage token", "POST", sightingsPath, "Bearer nonsense", 401, "invalid or revoked API key", `error="invalid_token"`},
		{"revoked key", "POST", sightingsPath, "Bearer " + k.revoked, 401, "invalid or revoked API key", `error="invalid_token"`},
		{"basic scheme", "POST", sightingsPath, "Basic " + k.write, 401, "malformed Authorization", `error="invalid_request"`},
		{"empty bearer", "POST", sightingsPath, "Bearer ", 401, "malformed Authorization", `error="invalid_request"`},
		{"read-only key writes", "POST", sightingsPath, "Bearer " + k.read, 403, "lacks the write scope", `error="insufficient_scope"`},
		{"read-only key, other write method", "DELETE", "/beacons/x", "Bearer " + k.read, 403, "lacks the write scope", `error="insufficient_scope"`},
		{"open read without key", "GET", readPath, "", 200, "", ""},
		{"open live stream without key", "GET", livePath, "", 200, "", ""},
		{"open read with a read key", "GET", readPath, "Bearer " + k.read, 200, "", ""},
		{"open read with a revoked key", "GET", readPath, "Bearer " + k.revoked, 401, "invalid or revoked API key", `error="invalid_token"`},
	} {
		before := f.beacon.count() + f.tracking.count() + f.aggregator.count()
		resp, body := call(t, f, c.method, c.path, c.auth)
		if resp.StatusCode != c.status {
			t.Errorf("%s: status %d, want %d: %s", c.name, resp.StatusCode, c.status, body)
			continue
		}
		after := f.beacon.count() + f.tracking.count() + f.aggregator.count()
		if c.status != 200 {
			wantJSONError(t, resp, body, c.status, c.msg)
			if after != before {
				t.Errorf("%s: refused request reached an upstream", c.name)
			}
		}
		if got := resp.Header.Get("WWW-Authenticate"); !strings.Contains(got, c.challenge) || (c.challenge == "") != (got == "") {
			t.Errorf("%s: WWW-Authenticate %q, want %q", c.name, got, c.challenge)
		}
		if c.auth != "" && len(c.auth) > 12 && strings.Contains(string(body), strings.Fields(c.auth)[len(strings.Fields(c.auth))-1]) {
			t.Errorf("%s: answer echoes the credential: %s", c.name, body)
		}
	}
	// The credential stops at the gateway.
	if h := f.tracking.last(t).Header.Get("Authorization"); h != "" {
		t.Errorf("upstream received Authorization %q", h)
	}
}

func TestReadAccessKey(t *testing.T) {
	k := testKeys()
	access := openAccess()
	access.ReadOpen = false
	f := accessFixture(t, access)
	for _, c := range []struct {
		path, auth string
		status     int
	}{
		{readPath, "", 401},
		{livePath, "", 401},
		{readPath, "Bearer " + k.read, 200},
		{livePath, "Bearer " + k.read, 200},
		{readPath, "Bearer " + k.write, 200}, // write implies read
		{readPath, "Bearer " + k.revoked, 401},
		// Never behind a key: the page and the operational endpoints.
		{"/", "", 200}, {"/ui/app.js", "", 200}, {"/healthz", "", 200}, {"/readyz", "", 200},
		{"/metrics", "", 200}, {"/openapi.yaml", "", 200},
	} {
		resp, body := call(t, f, "GET", c.path, c.auth)
		if resp.StatusCode != c.status {
			t.Errorf("GET %s (%.10s): %d, want %d: %s", c.path, c.auth, resp.StatusCode, c.status, body)
		}
	}
}

// TestWriteAccessOpen: -write-access open lets writes through without a
// key, but a key that is sent is still checked.
func TestWriteAccessOpen(t *testing.T) {
	f := accessFixture(t, accessConfig{ReadOpen: true, WriteOpen: true})
	if resp, body := call(t, f, "POST", sightingsPath, ""); resp.StatusCode != 200 || f.tracking.count() != 1 {
		t.Errorf("open write without a key: %d %s; %d reached tracking", resp.StatusCode, body, f.tracking.count())
	}
	resp, body := call(t, f, "POST", sightingsPath, "Bearer fpk_0123456789abcdef_bad")
	wantJSONError(t, resp, body, 401, "")
	if n := f.tracking.count(); n != 1 {
		t.Errorf("a write with a bad key reached tracking (%d writes)", n)
	}
}

func TestNoKeyFileRefusesWrites(t *testing.T) {
	f := accessFixture(t, accessConfig{ReadOpen: true})
	resp, body := call(t, f, "POST", sightingsPath, "")
	wantJSONError(t, resp, body, 401, "no API keys are configured")
	resp, body = call(t, f, "POST", sightingsPath, "Bearer "+testKeys().write)
	wantJSONError(t, resp, body, 401, "no API keys are configured")
	if resp, body := call(t, f, "GET", readPath, ""); resp.StatusCode != 200 {
		t.Errorf("open read without a key file: %d %s", resp.StatusCode, body)
	}
	if n := f.tracking.count(); n != 0 {
		t.Errorf("%d writes reached tracking", n)
	}
}

func TestRateLimitPerCredential(t *testing.T) {
	k := testKeys()
	access := openAccess()
	access.Limits = limitConfig{Rate: 0.01, Burst: 2} // one token per 100 s
	f := accessFixture(t, access)
	for i := range 2 {
		if resp, body := call(t, f, "POST", sightingsPath, "Bearer "+k.write); resp.StatusCode != 200 {
			t.Fatalf("write %d within the burst: %d %s", i, resp.StatusCode, body)
		}
	}
	resp, body := call(t, f, "POST", sightingsPath, "Bearer "+k.write)
	wantJSONError(t, resp, body, 429, "rate limit")
	secs, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if err != nil || secs < 90 || secs > 100 {
		t.Errorf("Retry-After %q, want about 100 whole seconds", resp.Header.Get("Retry-After"))
	}
	// Another credential has its own bucket: the read key, then the
	// anonymous client (by address).
	if resp, body := call(t, f, "GET", readPath, "Bearer "+k.read); resp.StatusCode != 200 {
		t.Errorf("other key limited too: %d %s", resp.StatusCode, body)
	}
	for i := range 2 {
		if resp, _ := call(t, f, "GET", readPath, ""); resp.StatusCode != 200 {
			t.Errorf("anonymous read %d: %d", i, resp.StatusCode)
		}
	}
	resp, body = call(t, f, "GET", readPath, "")
	wantJSONError(t, resp, body, 429, "rate limit")
	// Failed attempts use the address's bucket: guessing is limited too.
	resp, body = call(t, f, "POST", sightingsPath, "Bearer nonsense")
	wantJSONError(t, resp, body, 429, "rate limit")
}

func TestRetryAfterSeconds(t *testing.T) {
	for d, want := range map[float64]int64{0.001: 1, 0.5: 1, 1: 1, 1.2: 2, 59.9: 60} {
		if got := retryAfterSeconds(secondsDur(d)); got != want {
			t.Errorf("retryAfterSeconds(%vs) = %d, want %d", d, got, want)
		}
	}
}

// TestMetricsCountOutcomesWithoutKeys checks the outcome counter and that
// /metrics names no key.
func TestMetricsCountOutcomesWithoutKeys(t *testing.T) {
	k := testKeys()
	f := accessFixture(t, openAccess())
	call(t, f, "POST", sightingsPath, "Bearer "+k.write)
	call(t, f, "POST", sightingsPath, "")
	call(t, f, "POST", sightingsPath, "Bearer "+k.read)
	call(t, f, "GET", readPath, "")
	_, body := call(t, f, "GET", "/metrics", "")
	for _, want := range []string{
		`gateway_auth_requests_total{outcome="ok"} 1`,
		`gateway_auth_requests_total{outcome="unauthenticated"} 1`,
		`gateway_auth_requests_total{outcome="forbidden"} 1`,
		`gateway_auth_requests_total{outcome="anonymous"} 1`,
		`gateway_auth_requests_total{outcome="rate_limited"} 0`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	for _, secret := range []string{k.writeID, k.readID, k.write[len(apikey.Prefix)+17:]} {
		if strings.Contains(string(body), secret) {
			t.Errorf("/metrics contains a key id or secret")
		}
	}
}

func TestBearerToken(t *testing.T) {
	for _, c := range []struct {
		header          []string
		token           string
		sent, malformed bool
	}{
		{nil, "", false, false},
		{[]string{"Bearer abc"}, "abc", true, false},
		{[]string{"BEARER  abc"}, "abc", true, false},
		{[]string{"Bearer"}, "", true, true},
		{[]string{"Token abc"}, "", true, true},
		{[]string{"Bearer a", "Bearer b"}, "", true, true},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		for _, h := range c.header {
			r.Header.Add("Authorization", h)
		}
		tok, sent, malformed := bearerToken(r)
		if tok != c.token || sent != c.sent || malformed != c.malformed {
			t.Errorf("%q: %q %v %v", c.header, tok, sent, malformed)
		}
	}
}
