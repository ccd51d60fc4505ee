package faults

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptrace"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestSIGTERMUnderLoad: tracking-service gets SIGTERM while 16 clients post
// batches of 50 sightings directly to it. Every request that was in flight
// (written to the server) when the signal came must complete with 201; after that, new connections
// are refused (the listener is closed), and no request may fail any other
// way. Every acknowledged sighting is then read back.
func TestSIGTERMUnderLoad(t *testing.T) {
	hosts := cassandraHosts(t)
	s, _ := startStack(t, hosts, "SimpleStrategy:1")
	url := s.URL("tracking")
	gen := newSightingGen()

	type result struct {
		start, end time.Time
		wrote      time.Time // the request was written to an accepted connection
		status     int
		err        error
		batch      []sighting
	}
	var (
		mu      sync.Mutex
		results []result
	)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	client := &http.Client{Timeout: 15 * time.Second}
	const workers, perBatch, maxRequests = 16, 50, 1500 // at most 75000 rows: one hour reads up to 100000
	wait := loadWorkers(ctx, workers, maxRequests, func() bool {
		b := gen.batch(perBatch, "sigterm")
		start := time.Now()
		var wrote time.Time
		tctx := httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
			// Each attempt starts with GetConn. net/http retries a request
			// the server closed its idle connection on without reading it;
			// only the last attempt's write counts.
			GetConn: func(string) { wrote = time.Time{} },
			WroteRequest: func(i httptrace.WroteRequestInfo) {
				if i.Err == nil {
					wrote = time.Now()
				}
			},
		})
		status, _, _, err := postSightings(tctx, client, url, b)
		mu.Lock()
		results = append(results, result{start, time.Now(), wrote, status, err, b})
		mu.Unlock()
		return err == nil // on an error the server is gone: this worker is done
	})
	time.Sleep(time.Second)
	sigAt := time.Now()
	if err := s.Signal("tracking", syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	exitErr := s.Wait("tracking", 25*time.Second)
	exitedAfter := time.Since(sigAt)
	wait()

	var ok, refused, other, inFlight, inFlightOK int
	for _, r := range results {
		// In flight: written to the server before the signal, answered after.
		if !r.wrote.IsZero() && r.wrote.Before(sigAt) && r.end.After(sigAt) {
			inFlight++
			if r.status == http.StatusCreated {
				inFlightOK++
			}
		}
		switch {
		case r.status == http.StatusCreated:
			ok++
		case r.err != nil && errors.Is(r.err, syscall.ECONNREFUSED):
			refused++
		default:
			other++
			t.Errorf("request at %s (signal at %s): status %d, %v", r.start.Format("15:04:05.000"), sigAt.Format("15:04:05.000"), r.status, r.err)
		}
	}
	// Read back every acknowledged sighting through a restarted tracking.
	rctx, rcancel := context.WithTimeout(context.Background(), time.Minute)
	defer rcancel()
	if err := s.Respawn(rctx, "tracking"); err != nil {
		t.Fatal(err)
	}
	found := gen.readBack(t, url)
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
	table(t, "SIGTERM under load (tracking, 16 clients, 50-sighting batches)", [][2]string{
		{"requests", itoa(len(results))},
		{"in flight at SIGTERM", itoa(inFlight)},
		{"in flight that completed 201", itoa(inFlightOK)},
		{"201 total", itoa(ok)},
		{"refused after the listener closed", itoa(refused)},
		{"other errors (must be 0)", itoa(other)},
		{"process exit after SIGTERM", ms(exitedAfter)},
		{"exit status", map[bool]string{true: "0", false: "non-zero"}[exitErr == nil]},
		{"sightings acknowledged", itoa(acked)},
		{"acknowledged but not found (must be 0)", itoa(lost)},
	})
	if exitErr != nil {
		t.Errorf("tracking exited with %v after SIGTERM", exitErr)
	}
	if inFlight == 0 {
		t.Errorf("no request was in flight at SIGTERM: the test proved nothing")
	}
	if inFlightOK != inFlight || other != 0 || lost != 0 {
		t.Errorf("in flight %d, completed %d, other errors %d, lost %d", inFlight, inFlightOK, other, lost)
	}
}
