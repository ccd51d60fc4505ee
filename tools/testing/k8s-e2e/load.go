package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/find-peers/find-peers/libs/loadgen"
	"github.com/find-peers/find-peers/tools/testing/systemcheck"
)

// load is traffic through the gateway while the cluster changes under it:
// writes of fresh sightings (every acknowledged one is kept, to be read
// back) and, with reads, the seed hour's question. Every failure is kept
// with its status and whether its body was the API's JSON error.
type load struct {
	g     systemcheck.Gateway
	reads bool // every other operation is a read

	mu       sync.Mutex
	acked    []systemcheck.Sighting
	failures map[string]int // "502 JSON", "transport: ...", "503 not JSON"
	reqs     int
	aborted  int // requests the test itself cancelled when it stopped the load
}

func newLoad(g systemcheck.Gateway, reads bool) *load {
	return &load{g: g, reads: reads, failures: map[string]int{}}
}

// run sends rate operations a second for d (open loop, bounded).
func (l *load) run(ctx context.Context, rate float64, d time.Duration) (*loadgen.Result, error) {
	return loadgen.Run(ctx, loadgen.Config{Rate: rate, Duration: d, Concurrency: 32, Timeout: 10 * time.Second}, l.op)
}

func (l *load) op(ctx context.Context, i int) loadgen.Outcome {
	if l.reads && i%2 == 1 {
		return l.read(ctx)
	}
	s := systemcheck.NewSighting("K8s Load " + strconv.Itoa(i))
	code, body, err := l.g.Post(ctx, s)
	if err == nil && code/100 == 2 {
		l.mu.Lock()
		l.acked = append(l.acked, s)
		l.reqs++
		l.mu.Unlock()
		return loadgen.Outcome{Status: strconv.Itoa(code), OK: true}
	}
	return l.fail(code, body, err)
}

func (l *load) read(ctx context.Context) loadgen.Outcome {
	var got []systemcheck.UserAtLocation
	path := fmt.Sprintf("/aggregator/locations/%s/%d", systemcheck.BedRoomLocation, systemcheck.SeedHour)
	err := l.g.GetJSON(ctx, path, &got)
	if err == nil && len(got) == 3 {
		l.mu.Lock()
		l.reqs++
		l.mu.Unlock()
		return loadgen.Outcome{Status: "200", OK: true}
	}
	if err == nil {
		err = fmt.Errorf("%d users, want 3", len(got))
	}
	return l.fail(0, nil, err)
}

// fail records a failure: an HTTP error status with whether its body is the
// API's {"error": "..."}; or a transport error.
func (l *load) fail(code int, body []byte, err error) loadgen.Outcome {
	if errors.Is(err, context.Canceled) {
		l.mu.Lock()
		l.aborted++
		l.mu.Unlock()
		return loadgen.Outcome{Status: "aborted"}
	}
	kind := "error"
	if code != 0 && err == nil {
		var e struct {
			Error string `json:"error"`
		}
		kind = strconv.Itoa(code) + " not JSON"
		if json.Unmarshal(body, &e) == nil && e.Error != "" {
			kind = strconv.Itoa(code) + " JSON"
		}
	} else if err != nil {
		kind = "transport: " + shortErr(err)
	}
	l.mu.Lock()
	l.failures[kind]++
	l.reqs++
	l.mu.Unlock()
	return loadgen.Outcome{Status: kind}
}

// shortErr is the innermost part of err's message ("connection reset by
// peer"), so that failures of one kind count together; the whole message
// (cut at 200 bytes) when that part is empty.
func shortErr(err error) string {
	var ne interface{ Timeout() bool }
	if errors.As(err, &ne) && ne.Timeout() {
		return "timeout"
	}
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 && strings.TrimSpace(s[i+2:]) != "" {
		return s[i+2:]
	}
	return s[:min(len(s), 200)]
}

// summary is "N requests, M acknowledged writes, failures: ..." .
func (l *load) summary() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var f []string
	for k, n := range l.failures {
		f = append(f, fmt.Sprintf("%d × %s", n, k))
	}
	sort.Strings(f)
	fs := "none"
	if len(f) > 0 {
		fs = strings.Join(f, ", ")
	}
	ab := ""
	if l.aborted > 0 {
		ab = fmt.Sprintf(" (%d in flight when the load stopped, not counted)", l.aborted)
	}
	return fmt.Sprintf("%d requests, %d acknowledged writes, failures: %s%s", l.reqs, len(l.acked), fs, ab)
}

func (l *load) failed() (total int, notJSON int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for k, n := range l.failures {
		total += n
		if !strings.HasSuffix(k, " JSON") || strings.HasSuffix(k, "not JSON") {
			notJSON += n
		}
	}
	return total, notJSON
}

func (l *load) ackedWrites() []systemcheck.Sighting {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]systemcheck.Sighting(nil), l.acked...)
}
