package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/find-peers/find-peers/libs/apikey"
	"github.com/find-peers/find-peers/libs/cassandra/cassandratest"
	"github.com/find-peers/find-peers/libs/procstack"
	"github.com/find-peers/find-peers/tools/testing/systemcheck"
)

// syncLog collects the services' log lines.
type syncLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestAccessControlThroughGateway checks every access rule against the
// real processes (gateway, services, Cassandra): no key, a wrong key, a
// revoked key (revoked in the running gateway's file), a read key writing,
// a key's rate limit; reads stay open; no token reaches any log.
func TestAccessControlThroughGateway(t *testing.T) {
	hosts := cassandratest.Hosts(t)
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	beaconKS, trackingKS := "auth_beacon_"+hex.EncodeToString(suffix), "auth_tracking_"+hex.EncodeToString(suffix)
	logs := &syncLog{}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	s, err := procstack.Start(ctx, procstack.Config{
		Bin: binaries(t), CassandraHosts: strings.Join(hosts, ","), Seed: true, Output: logs,
		BeaconKeyspace: beaconKS, TrackingKeyspace: trackingKS,
		GatewayEnv: []string{"GATEWAY_LOG_LEVEL=debug"},
	})
	if err != nil {
		t.Fatalf("start the stack: %v\n%s", err, logs.String())
	}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Errorf("stop the stack: %v", err)
		}
		dropKeyspaces(t, hosts, beaconKS, trackingKS)
	})
	gw := s.GatewayURL()
	sighting := `{"beaconId":"` + bedRoomBeacon + `","userId":"3f1b7a4e-5c2d-4e8f-9a0b-1c2d3e4f5a6b","name":"Auth Check"}`
	write := func(token string) *http.Response {
		return send(t, http.MethodPost, gw+"/tracking/sightings", sighting, token)
	}

	expect(t, "write with the write key", write(s.WriteToken()), http.StatusCreated, "")
	expect(t, "no credential", write(""), http.StatusUnauthorized, `Bearer realm="find-peers"`)
	unknown, _, _, _ := apikey.NewToken()
	expect(t, "unknown key", write(unknown), http.StatusUnauthorized, `error="invalid_token"`)
	wrong := s.WriteToken()[:len(apikey.Prefix)+17] + s.ReadToken()[len(apikey.Prefix)+17:]
	expect(t, "wrong secret", write(wrong), http.StatusUnauthorized, `error="invalid_token"`)
	expect(t, "read key writes", write(s.ReadToken()), http.StatusForbidden, `error="insufficient_scope"`)
	expect(t, "beacon write without key", send(t, http.MethodPost, gw+"/beacons", `{"locationId":"`+bedRoomLocation+`","beaconName":"X"}`, ""), http.StatusUnauthorized, "")
	expect(t, "open read", send(t, http.MethodGet, gw+"/aggregator/locations/"+bedRoomLocation+"/"+seedHour, "", ""), http.StatusOK, "")
	expect(t, "read with the read key", send(t, http.MethodGet, gw+"/beacons/locations", "", s.ReadToken()), http.StatusOK, "")

	// A new key works at once; revoked in the file, it is refused within
	// the gateway's poll, without a restart.
	token, id := addKey(t, s.APIKeysFile(), 0, 0)
	waitStatus(t, func() int { return write(token).StatusCode }, http.StatusCreated)
	revokeKey(t, s.APIKeysFile(), id)
	waitStatus(t, func() int { return write(token).StatusCode }, http.StatusUnauthorized)
	expect(t, "revoked key", write(token), http.StatusUnauthorized, `error="invalid_token"`)

	// A key with its own limit: a burst of 2, then 429 with Retry-After.
	limited, _ := addKey(t, s.APIKeysFile(), 0.01, 2)
	waitStatus(t, func() int { return write(limited).StatusCode }, http.StatusCreated)
	expect(t, "second write in the burst", write(limited), http.StatusCreated, "")
	resp := write(limited)
	expect(t, "third write", resp, http.StatusTooManyRequests, "")
	if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || secs < 1 {
		t.Errorf("Retry-After %q, want whole seconds >= 1", resp.Header.Get("Retry-After"))
	}
	expect(t, "other key unaffected", write(s.WriteToken()), http.StatusCreated, "")

	// The check compose-e2e makes against the compose stack, here against
	// the same processes: it must pass, so it is known to work.
	g := systemcheck.Gateway{URL: gw, HTTP: &http.Client{Timeout: 10 * time.Second}, Token: s.WriteToken()}
	summary, err := g.AccessCheck(ctx, s.APIKeysFile(), s.ReadToken(), 10*time.Second)
	if err != nil {
		t.Errorf("systemcheck.AccessCheck: %v", err)
	}
	t.Log(summary)

	time.Sleep(300 * time.Millisecond) // access log lines follow the answers
	out := logs.String()
	for _, tok := range []string{s.WriteToken(), s.ReadToken(), token, limited, unknown, wrong} {
		_, secret, _ := apikey.ParseToken(tok)
		if strings.Contains(out, secret) {
			t.Errorf("a token's secret is in the service logs")
		}
	}
	if !strings.Contains(out, "API key file reloaded") {
		t.Errorf("the gateway did not log the reload")
	}
}

// send does one request with token as a bearer credential ("" for none);
// the body is read and closed.
func send(t *testing.T, method, url, body, token string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp
}

// expect checks a status, a JSON error body for errors, and (when set) the
// WWW-Authenticate challenge.
func expect(t *testing.T, what string, resp *http.Response, status int, challenge string) {
	t.Helper()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		t.Errorf("%s: %d %s, want %d", what, resp.StatusCode, b, status)
		return
	}
	if status >= 400 && !bytes.HasPrefix(b, []byte(`{"error":"`)) {
		t.Errorf("%s: body %s, want the JSON error shape", what, b)
	}
	if got := resp.Header.Get("WWW-Authenticate"); !strings.Contains(got, challenge) {
		t.Errorf("%s: WWW-Authenticate %q, want %q", what, got, challenge)
	}
	if bytes.Contains(b, []byte(apikey.Prefix)) {
		t.Errorf("%s: answer echoes a token: %s", what, b)
	}
}

func waitStatus(t *testing.T, status func() int, want int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := status()
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("status %d, want %d within 10 s", got, want)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// addKey adds a write key (with its own rate limit when > 0) to the file
// the running gateway reads, as tools/apikey create does.
func addKey(t *testing.T, file string, limit float64, burst int) (token, id string) {
	t.Helper()
	f, err := apikey.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	token, key, err := apikey.NewKey("e2e", time.Now(), apikey.ScopeWrite)
	if err != nil {
		t.Fatal(err)
	}
	key.RateLimit, key.RateBurst = limit, burst
	f.Keys = append(f.Keys, key)
	if err := apikey.Save(file, f); err != nil {
		t.Fatal(err)
	}
	return token, key.ID
}

func revokeKey(t *testing.T, file, id string) {
	t.Helper()
	f, err := apikey.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	for i := range f.Keys {
		if f.Keys[i].ID == id {
			f.Keys[i].Revoked = &now
		}
	}
	if err := apikey.Save(file, f); err != nil {
		t.Fatal(err)
	}
}
