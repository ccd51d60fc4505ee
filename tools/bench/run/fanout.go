package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/find-peers/find-peers/libs/loadgen"
	"github.com/find-peers/find-peers/libs/procstack"
)

// FanoutSection measures, per location size, the aggregator's latency and
// what its upstream calls cost on their own: the beacon call, and the
// batched tracking calls the aggregator makes for the location (one GET
// /tracking/sightings per chunk of trackingBatch beacons, issued in
// parallel from the benchmark; the operation lasts as long as the slowest).
// After the largest size it reads the aggregator process's peak memory.
type FanoutSection struct {
	Rate     float64      `json:"rate"`
	Duration float64      `json:"durationSeconds"`
	Sizes    []FanoutSize `json:"sizes"`
	// AggregatorPeakKiB is the aggregator's VmHWM (peak resident memory)
	// after the largest size; 0 when it could not be read.
	AggregatorPeakKiB int64 `json:"aggregatorPeakKiB,omitempty"`
}

type FanoutSize struct {
	Beacons       int             `json:"beacons"`
	RowsPerBeacon int             `json:"sightingsPerBeacon"`
	TrackingCalls int             `json:"trackingCalls"` // chunks of trackingBatch beacons
	Beacon        *loadgen.Result `json:"beaconCall"`
	Tracking      *loadgen.Result `json:"batchedTrackingCalls"` // slowest of the parallel batched calls
	Aggregator    *loadgen.Result `json:"aggregator"`
	BudgetP50     float64         `json:"budgetP50Ms"`   // beacon p50 + batched tracking p50
	OverheadP50   float64         `json:"overheadP50Ms"` // aggregator p50 - budget
	BudgetP99     float64         `json:"budgetP99Ms"`
	OverheadP99   float64         `json:"overheadP99Ms"`
}

// size is the run of n beacons, nil when there is none.
func (f *FanoutSection) size(n int) *FanoutSize {
	for i := range f.Sizes {
		if f.Sizes[i].Beacons == n {
			return &f.Sizes[i]
		}
	}
	return nil
}

const (
	fanoutRows = 10
	// trackingBatch is tracking's maxQueryBeacons and the aggregator's
	// default chunk: the beacons of one GET /tracking/sightings.
	trackingBatch = 100
	// seedBatch is tracking's maxBatch: the most sightings of one POST.
	seedBatch = 500
)

// fanoutSizes are the location sizes measured; the goal compares 100 with
// 1 and wants 500 within the request deadline.
var fanoutSizes = []int{1, 20, 100, 500}

func fanoutSection(ctx context.Context, o options, s *procstack.Stack) (*FanoutSection, error) {
	sec := &FanoutSection{Rate: o.latencyRate, Duration: o.latencyFor.Seconds()}
	client := loadgen.NewClient(64, 10*time.Second)
	hour := time.Date(2024, 1, 2, 10, 0, 0, 0, time.UTC)
	lc := loadgen.Config{Rate: o.latencyRate, Duration: o.latencyFor, Concurrency: 32, Timeout: 10 * time.Second, Warmup: 10}
	for _, n := range fanoutSizes {
		location, beacons, err := seedFanoutLocation(ctx, client, s, n, hour)
		if err != nil {
			return nil, err
		}
		calls := (n + trackingBatch - 1) / trackingBatch
		size := FanoutSize{Beacons: n, RowsPerBeacon: fanoutRows, TrackingCalls: calls}
		step("  %d beacon(s): beacon call, %d batched tracking call(s), aggregator", n, calls)
		if size.Beacon, err = loadgen.Run(ctx, lc, loadgen.HTTPOp(client, loadgen.BeaconsAt(s.URL("beacon"), []string{location}))); err != nil {
			return nil, err
		}
		size.Beacon.Name = "beacon GET /beacons/locations/{id}"
		if size.Tracking, err = loadgen.Run(ctx, lc, batchedTracking(client, s.URL("tracking"), beacons, hour)); err != nil {
			return nil, err
		}
		size.Tracking.Name = fmt.Sprintf("slowest of %d parallel GET /tracking/sightings (%d beacons)", calls, n)
		if size.Aggregator, err = loadgen.Run(ctx, lc, loadgen.HTTPOp(client, loadgen.LocationQueries(s.URL("aggregator"), []string{location}, hour))); err != nil {
			return nil, err
		}
		size.Aggregator.Name = "aggregator GET /aggregator/locations/{id}/{t}"
		// The aggregator's errors are kept, not fatal: at 500 beacons a 504
		// (the request deadline) is what the goal checks for.
		for _, r := range []*loadgen.Result{size.Beacon, size.Tracking} {
			if r.Errors > 0 {
				return nil, fmt.Errorf("%s: %d errors (%s)", r.Name, r.Errors, loadgen.StatusString(r.Statuses))
			}
		}
		size.BudgetP50 = size.Beacon.Latency.P50 + size.Tracking.Latency.P50
		size.OverheadP50 = size.Aggregator.Latency.P50 - size.BudgetP50
		size.BudgetP99 = size.Beacon.Latency.P99 + size.Tracking.Latency.P99
		size.OverheadP99 = size.Aggregator.Latency.P99 - size.BudgetP99
		sec.Sizes = append(sec.Sizes, size)
	}
	if pid, err := s.PID("aggregator"); err == nil {
		sec.AggregatorPeakKiB, err = vmHWM(pid)
		if err != nil {
			step("  aggregator peak memory not read: %v", err)
		}
	}
	return sec, nil
}

// seedFanoutLocation registers a new location with n beacons and posts
// fanoutRows sightings per beacon into hour, in POSTs of at most seedBatch.
func seedFanoutLocation(ctx context.Context, client *http.Client, s *procstack.Stack, n int, hour time.Time) (string, []string, error) {
	location := loadgen.UUID(nil)
	beacons := make([]string, n)
	for i := range beacons {
		var b struct {
			BeaconID string `json:"beaconId"`
		}
		body := fmt.Sprintf(`{"locationId":%q,"beaconName":"bench beacon %d"}`, location, i)
		if err := postJSON(ctx, client, s.URL("beacon")+"/beacons", body, "", &b); err != nil {
			return "", nil, fmt.Errorf("register beacon: %w", err)
		}
		beacons[i] = b.BeaconID
	}
	// Request i carries rows i*batch..: round-robin over the beacons, so
	// every beacon gets fanoutRows when batch divides n*fanoutRows.
	batch := min(n*fanoutRows, seedBatch)
	w := loadgen.SightingWorkload{Base: s.URL("tracking"), Beacons: beacons, Batch: batch, At: hour, Seed: 7}
	for i := range (n*fanoutRows + batch - 1) / batch {
		req := w.Request(i)
		if err := postJSON(ctx, client, req.URL, string(req.Body), "", nil); err != nil {
			return "", nil, fmt.Errorf("seed sightings: %w", err)
		}
	}
	return location, beacons, nil
}

// vmHWM reads a process's peak resident memory (VmHWM) in KiB.
func vmHWM(pid int) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
		}
	}
	return 0, fmt.Errorf("/proc/%d/status has no VmHWM", pid)
}

// batchedTracking issues the tracking calls of one aggregator request at
// once: GET /tracking/sightings for each chunk of trackingBatch beacons.
// The operation lasts as long as the slowest.
func batchedTracking(client *http.Client, base string, beacons []string, hour time.Time) loadgen.Op {
	var urls []string
	for start := 0; start < len(beacons); start += trackingBatch {
		chunk := beacons[start:min(start+trackingBatch, len(beacons))]
		urls = append(urls, fmt.Sprintf("%s/tracking/sightings?epochSeconds=%d&beaconId=%s", strings.TrimRight(base, "/"), hour.Unix(), strings.Join(chunk, ",")))
	}
	op := loadgen.HTTPOp(client, func(k int) loadgen.Request { return loadgen.Request{Method: "GET", URL: urls[k]} })
	return func(ctx context.Context, _ int) loadgen.Outcome {
		outs := make([]loadgen.Outcome, len(urls))
		var wg sync.WaitGroup
		for k := range urls {
			wg.Go(func() { outs[k] = op(ctx, k) })
		}
		wg.Wait()
		for _, o := range outs {
			if !o.OK {
				return o
			}
		}
		return loadgen.Outcome{Status: "200", OK: true}
	}
}

// postJSON posts body, with the gateway key token when not empty, and wants
// a 201; into receives the answer.
func postJSON(ctx context.Context, c *http.Client, url, body, token string, into any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewBufferString(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("POST %s: %d %s", url, resp.StatusCode, data)
	}
	if into != nil {
		return json.Unmarshal(data, into)
	}
	return nil
}
