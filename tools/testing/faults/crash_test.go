package faults

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"
)

// TestTrackingCrashThroughGateway: 8 clients post 10-sighting batches through
// the gateway; tracking-service is SIGKILLed 2 s in and restarted 2 s later.
// While it is down, callers must get 502/503 JSON errors quickly (never a
// hang to the client timeout); after the restart, writes must succeed again
// within 5 s; and every sighting acknowledged with 201 must be readable.
func TestTrackingCrashThroughGateway(t *testing.T) {
	hosts := cassandraHosts(t)
	s, _ := startStack(t, hosts, "SimpleStrategy:1")
	gw := s.GatewayURL()
	gen := newSightingGen()

	type result struct {
		start   time.Time
		latency time.Duration
		status  int
		json    bool
		err     error
		batch   []sighting
	}
	var (
		mu      sync.Mutex
		results []result
	)
	const clientTimeout = 5 * time.Second
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	client := &http.Client{Timeout: clientTimeout}
	const workers, perBatch, maxRequests = 8, 10, 6000 // at most 60000 rows, one hour
	wait := loadWorkers(ctx, workers, maxRequests, func() bool {
		b := gen.batch(perBatch, "crash")
		start := time.Now()
		status, isJSON, lat, err := postSightings(ctx, client, gw, b)
		if ctx.Err() != nil {
			return false
		}
		mu.Lock()
		results = append(results, result{start, lat, status, isJSON, err, b})
		mu.Unlock()
		time.Sleep(5 * time.Millisecond)
		return true
	})
	time.Sleep(2 * time.Second)
	killAt := time.Now()
	if err := s.Kill("tracking"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	restartAt := time.Now()
	rctx, rcancel := context.WithTimeout(context.Background(), time.Minute)
	if err := s.Respawn(rctx, "tracking"); err != nil {
		rcancel()
		t.Fatal(err)
	}
	rcancel()
	readyAt := time.Now()
	time.Sleep(5 * time.Second)
	cancel()
	wait()

	var ok, e502, e503, otherStatus, transport, nonJSON int
	var failLat []time.Duration
	var firstOKAfterRestart time.Time
	for _, r := range results {
		switch {
		case r.err != nil:
			transport++
			t.Errorf("transport error at +%s: %v", r.start.Sub(killAt), r.err)
		case r.status == http.StatusCreated:
			ok++
			if r.start.After(restartAt) && (firstOKAfterRestart.IsZero() || r.start.Before(firstOKAfterRestart)) {
				firstOKAfterRestart = r.start
			}
		case r.status == http.StatusBadGateway || r.status == http.StatusServiceUnavailable:
			if r.status == http.StatusBadGateway {
				e502++
			} else {
				e503++
			}
			failLat = append(failLat, r.latency)
			if !r.json {
				nonJSON++
			}
		default:
			otherStatus++
			t.Errorf("status %d at +%s", r.status, r.start.Sub(killAt))
		}
	}
	found := gen.readBack(t, gw)
	acked, lost := 0, 0
	for _, r := range results {
		if r.status != http.StatusCreated {
			continue
		}
		for _, sg := range r.batch {
			acked++
			if !found[key(sg)] {
				lost++
			}
		}
	}
	recovery := time.Duration(-1)
	if !firstOKAfterRestart.IsZero() {
		recovery = firstOKAfterRestart.Sub(restartAt)
	}
	table(t, "tracking SIGKILL + restart during load through the gateway (8 clients, 10-sighting batches)", [][2]string{
		{"requests", itoa(len(results))},
		{"201", itoa(ok)},
		{"502 / 503 while tracking was down", itoa(e502) + " / " + itoa(e503)},
		{"error answers that were not JSON (must be 0)", itoa(nonJSON)},
		{"other statuses or transport errors (must be 0)", itoa(otherStatus + transport)},
		{"error latency p50 / max (client timeout 5 s)", ms(percentile(failLat, 0.5)) + " / " + ms(percentile(failLat, 1))},
		{"restart: process start to ready", ms(readyAt.Sub(restartAt))},
		{"recovery: process start to first 201 (must be < 5 s)", ms(recovery)},
		{"sightings acknowledged", itoa(acked)},
		{"acknowledged but not found (must be 0)", itoa(lost)},
	})
	if e502+e503 == 0 {
		t.Errorf("no request saw tracking down: the test proved nothing")
	}
	if nonJSON != 0 || lost != 0 || recovery < 0 || recovery > 5*time.Second || percentile(failLat, 1) > 2*time.Second {
		t.Errorf("non-JSON errors %d, lost %d, recovery %s, max error latency %s", nonJSON, lost, recovery, percentile(failLat, 1))
	}
}
