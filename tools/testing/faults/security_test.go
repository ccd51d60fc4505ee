package faults

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestSecurityLimits checks, through the gateway and the real processes,
// that request bodies, batches and headers are bounded, that a hostile
// string is stored and answered as data, and that credentials a client
// sends (Authorization, Cookie, a token in the query) never reach the logs.
// Other guarantees are proven by unit tests (see docs/RELIABILITY.md).
func TestSecurityLimits(t *testing.T) {
	hosts := cassandraHosts(t)
	s, logs := startStack(t, hosts, "SimpleStrategy:1")
	gw := s.GatewayURL()
	secretBytes := make([]byte, 12)
	_, _ = rand.Read(secretBytes)
	secret := "s3cr3t-" + hex.EncodeToString(secretBytes)
	client := &http.Client{Timeout: 10 * time.Second}

	do := func(method, path, ct string, body []byte, hdr map[string]string) (int, []byte) {
		req, _ := http.NewRequest(method, gw+path, bytes.NewReader(body))
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		if method == "POST" {
			req.Header.Set("Authorization", "Bearer "+writeToken)
		}
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	gen := newSightingGen()
	batch := func(n int) []byte { b, _ := json.Marshal(gen.batch(n, "x")); return b }
	// The real write key is a credential too: it must not be logged either.
	creds := map[string]string{"Authorization": "Bearer " + writeToken, "Cookie": "session=" + secret, "X-Api-Key": secret}

	var rows [][2]string
	check := func(what string, got, want int) {
		rows = append(rows, [2]string{what, itoa(got)})
		if got != want {
			t.Errorf("%s: status %d, want %d", what, got, want)
		}
	}
	st, _ := do("POST", "/tracking/sightings", "application/json", bytes.Repeat([]byte(" "), 2<<20), nil)
	check("2 MiB body through the gateway (limit 1 MiB): status", st, 413)
	big, _ := json.Marshal(gen.batch(1, strings.Repeat("n", 200)))
	body := append([]byte("["), bytes.Repeat(append(big[1:len(big)-1], ','), 2500)...)
	body[len(body)-1] = ']'
	st, _ = do("POST", "/tracking/sightings", "application/json", body, nil)
	check("~700 KiB sightings body (tracking limit 512 KiB): status", st, 413)
	st, _ = do("POST", "/tracking/sightings", "application/json", batch(501), nil)
	check("batch of 501 sightings (limit 500): status", st, 413)
	st, _ = do("POST", "/tracking/sightings", "text/plain", batch(1), nil)
	check("wrong content type: status", st, 415)
	st, _ = do("GET", "/tracking/sightings", "", nil, map[string]string{"X-Big": strings.Repeat("h", 128<<10)})
	check("128 KiB request header (limit 64 KiB): status", st, 431)

	hostile := `Robert'); DROP TABLE users_by_beacon;-- "\u0027`
	one := gen.batch(1, hostile)
	b, _ := json.Marshal(one)
	st, _ = do("POST", "/tracking/sightings?token="+secret, "application/json", b, creds)
	check("hostile name posted with credentials: status", st, 201)
	st, rb := do("GET", "/tracking/beacons/"+gen.beacon.String()+"/1473156000?token="+secret, "", nil, creds)
	var back []sighting
	_ = json.Unmarshal(rb, &back)
	asData := st == 200 && len(back) == 1 && back[0].Name == hostile
	rows = append(rows, [2]string{"hostile name read back unchanged (CQL as data)", map[bool]string{true: "yes", false: "NO"}[asData]})
	if !asData {
		t.Errorf("hostile name: %d %s", st, rb)
	}
	// The same credentials on a failing request (errors are logged at warn).
	_, _ = do("POST", "/tracking/sightings?token="+secret, "application/json", []byte("{bad"), creds)
	// A refused credential: the secret as a bearer token.
	st, _ = do("POST", "/tracking/sightings", "application/json", b, map[string]string{"Authorization": "Bearer " + secret})
	check("write with a wrong bearer token: status", st, 401)

	time.Sleep(200 * time.Millisecond) // log lines are written after the answer
	_, keySecret, _ := strings.Cut(writeToken[len("fpk_"):], "_")
	leaks := strings.Count(logs.String(), secret) + strings.Count(logs.String(), keySecret)
	rows = append(rows, [2]string{"log lines (all services) containing the client's secret or API key (must be 0)", itoa(leaks)})
	if leaks != 0 {
		t.Errorf("the secret appears %d times in the logs", leaks)
	}
	table(t, "security limits through the gateway (real processes)", rows)
}
