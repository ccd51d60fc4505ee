package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/find-peers/find-peers/libs/apikey"
	"github.com/find-peers/find-peers/libs/httpx/httpxtest"
	"github.com/find-peers/find-peers/libs/logtest"
	"github.com/find-peers/find-peers/libs/service/servicetest"
)

// TestKeysCreatedAndRevokedWithoutRestart runs the gateway on a key file
// the way serve does (accessSettings.openKeys), changes the file and sees
// the change within a few polls; every log line is captured and must not
// contain a token or secret.
func TestKeysCreatedAndRevokedWithoutRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.json")
	writer, wkey, _ := apikey.NewKey("writer", time.Now(), apikey.ScopeWrite)
	if err := apikey.Save(path, apikey.File{Keys: []apikey.Key{wkey}}); err != nil {
		t.Fatal(err)
	}
	var logs logtest.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := accessSettings{keysFile: path, poll: 10 * time.Millisecond, cfg: accessConfig{ReadOpen: true}}
	access, err := s.openKeys(t.Context(), logger)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{beacon: &echo{name: "beacon"}, tracking: &echo{name: "tracking"}, aggregator: &echo{name: "aggregator"}}
	opts := testOptions()
	opts.Access = access
	ups := []upstream{
		{Name: "beacon-service", Prefix: "/beacons", URL: serveUpstream(t, f.beacon)},
		{Name: "tracking-service", Prefix: "/tracking", URL: serveUpstream(t, f.tracking)},
		{Name: "aggregator-service", Prefix: "/aggregator", URL: serveUpstream(t, f.aggregator)},
	}
	f.gw = httptest.NewServer(routes(ups, opts, httpxtest.Ops(), logger))
	t.Cleanup(f.gw.Close)

	status := func(auth string) int {
		resp, _ := call(t, f, "POST", sightingsPath, auth)
		return resp.StatusCode
	}
	if got := status("Bearer " + writer); got != 200 {
		t.Fatalf("write key: %d", got)
	}
	// Create a second key and revoke the first, as tools/apikey does.
	second, skey, _ := apikey.NewKey("second", time.Now(), apikey.ScopeWrite)
	now := time.Now().UTC()
	wkey.Revoked = &now
	if err := apikey.Save(path, apikey.File{Keys: []apikey.Key{wkey, skey}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return status("Bearer "+writer) == 401 && status("Bearer "+second) == 200 })

	// A broken file keeps the keys in force.
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return strings.Contains(logs.String(), "not reloaded") })
	if got := status("Bearer " + second); got != 200 {
		t.Errorf("after a broken file, the last good key: %d", got)
	}
	status("Bearer " + second[:len(second)-2] + "xx") // wrong secret, logged at debug
	status("Basic " + second)

	out := logs.String()
	for _, tok := range []string{writer, second} {
		_, secret, _ := apikey.ParseToken(tok)
		if strings.Contains(out, secret) || strings.Contains(out, apikey.HashSecret(secret)) {
			t.Fatalf("logs contain a secret or its hash:\n%s", out)
		}
	}
	if !strings.Contains(out, "API key rejected") || !strings.Contains(out, `"path":"/tracking/sightings"`) {
		t.Errorf("expected log lines missing:\n%s", out)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestAccessSettings(t *testing.T) {
	s, err := program.Parse("serve", []string{"-read-access", "key"}, servicetest.Env(map[string]string{
		"GATEWAY_API_KEYS_FILE": "/etc/keys.json",
		"GATEWAY_RATE_LIMIT":    "2.5",
		"GATEWAY_RATE_BURST":    "7",
	}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	a := s.access
	if a.keysFile != "/etc/keys.json" || a.cfg.ReadOpen || a.cfg.Limits.Rate != 2.5 || a.cfg.Limits.Burst != 7 || a.poll != apikey.DefaultPoll {
		t.Errorf("access settings %+v", a)
	}
	d, _ := program.Parse("serve", nil, servicetest.Env(nil), io.Discard)
	if d.access.keysFile != "" || !d.access.cfg.ReadOpen || d.access.cfg.WriteOpen || d.access.cfg.Limits.Rate <= 0 {
		t.Errorf("defaults %+v: want no key file, open reads, writes behind a key, a rate limit", d.access)
	}
	if w, err := program.Parse("serve", []string{"-write-access", "open"}, servicetest.Env(nil), io.Discard); err != nil || !w.access.cfg.WriteOpen {
		t.Errorf("-write-access open: %+v, %v", w.access, err)
	}
	_, err = program.Parse("serve", nil, servicetest.Env(map[string]string{
		"GATEWAY_READ_ACCESS": "public", "GATEWAY_WRITE_ACCESS": "anyone", "GATEWAY_RATE_LIMIT": "fast", "GATEWAY_RATE_BURST": "0",
	}), io.Discard)
	for _, want := range []string{"GATEWAY_READ_ACCESS", "GATEWAY_WRITE_ACCESS", "GATEWAY_RATE_LIMIT", "GATEWAY_RATE_BURST"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not name %s", err, want)
		}
	}
}

// TestServeRefusesABrokenKeyFile: a key file that does not load stops the
// gateway at start (exit 1) rather than serving with no keys.
func TestServeRefusesABrokenKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.json")
	_ = os.WriteFile(path, []byte(`{"keys":[{"id":"x"}]}`), 0o600)
	var stderr logtest.Buffer
	code := run([]string{"serve", "-listen-addr", "127.0.0.1:0", "-api-keys-file", path}, servicetest.Env(nil), &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "keys[0].id") {
		t.Errorf("exit %d, stderr %s", code, stderr.String())
	}
}

// FuzzAuthorization: any Authorization header gets 2xx (proxied), 401,
// 403 or 429, never a 5xx, and the answer never echoes a token.
func FuzzAuthorization(f *testing.F) {
	k := testKeys()
	for _, s := range []string{"Bearer " + k.write, "Bearer " + k.read, "Bearer " + k.revoked, "Bearer", "Basic x", "bearer  " + k.write + " x", ""} {
		f.Add(s, true)
	}
	auth := newAuthorizer(openAccess(), httpxtest.Ops().Registry)
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	f.Fuzz(func(t *testing.T, header string, write bool) {
		method := http.MethodGet
		if write {
			method = http.MethodPost
		}
		r := httptest.NewRequest(method, "/tracking/sightings", nil)
		r.Header.Set("Authorization", header)
		w := httptest.NewRecorder()
		auth.wrap(next).ServeHTTP(w, r)
		switch w.Code {
		case 204, 401, 403, 429:
		default:
			t.Fatalf("status %d for %q", w.Code, header)
		}
		if strings.Contains(w.Body.String(), apikey.Prefix) {
			t.Errorf("answer echoes the header: %s", w.Body)
		}
	})
}
