package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/find-peers/find-peers/libs/loadgen"
	"github.com/find-peers/find-peers/libs/procstack"
)

// FanoutSection compares, per location size, the aggregator's latency with
// what a parallel fan-out should cost: the beacon call plus the slowest of
// the N tracking calls (measured by issuing the N calls in parallel, as the
// aggregator does). A sequential fan-out would cost about beacon + N x one
// tracking call.
type FanoutSection struct {
	Rate     float64      `json:"rate"`
	Duration float64      `json:"durationSeconds"`
	Sizes    []FanoutSize `json:"sizes"`
}

type FanoutSize struct {
	Beacons       int             `json:"beacons"`
	RowsPerBeacon int             `json:"sightingsPerBeacon"`
	Beacon        *loadgen.Result `json:"beaconCall"`
	SlowestTrack  *loadgen.Result `json:"slowestOfParallelTrackingCalls"`
	OneTrack      loadgen.Latency `json:"oneTrackingCallMs"`
	Aggregator    *loadgen.Result `json:"aggregator"`
	BudgetP50     float64         `json:"budgetP50Ms"`   // beacon p50 + slowest tracking p50
	OverheadP50   float64         `json:"overheadP50Ms"` // aggregator p50 - budget
	BudgetP99     float64         `json:"budgetP99Ms"`
	OverheadP99   float64         `json:"overheadP99Ms"`
	SequentialP50 float64         `json:"sequentialEstimateP50Ms"` // beacon p50 + N x one tracking p50
}

const fanoutRows = 10

func fanoutSection(ctx context.Context, o options, s *procstack.Stack) (*FanoutSection, error) {
	sec := &FanoutSection{Rate: o.latencyRate, Duration: o.latencyFor.Seconds()}
	client := loadgen.NewClient(64, 10*time.Second)
	hour := time.Date(2024, 1, 2, 10, 0, 0, 0, time.UTC)
	lc := loadgen.Config{Rate: o.latencyRate, Duration: o.latencyFor, Concurrency: 32, Timeout: 10 * time.Second, Warmup: 10}
	for _, n := range []int{1, 5, 20} {
		location := loadgen.UUID(nil)
		beacons := make([]string, n)
		for i := range beacons {
			var b struct {
				BeaconID string `json:"beaconId"`
			}
			body := fmt.Sprintf(`{"locationId":%q,"beaconName":"bench beacon %d"}`, location, i)
			if err := postJSON(ctx, client, s.URL("beacon")+"/beacons", body, "", &b); err != nil {
				return nil, fmt.Errorf("register beacon: %w", err)
			}
			beacons[i] = b.BeaconID
		}
		w := loadgen.SightingWorkload{Base: s.URL("tracking"), Beacons: beacons, Batch: n * fanoutRows, At: hour, Seed: 7}
		req := w.Request(0)
		if err := postJSON(ctx, client, req.URL, string(req.Body), "", nil); err != nil {
			return nil, fmt.Errorf("seed sightings: %w", err)
		}

		size := FanoutSize{Beacons: n, RowsPerBeacon: fanoutRows}
		step("  %d beacon(s): beacon call, %d parallel tracking calls, aggregator", n, n)
		var err error
		if size.Beacon, err = loadgen.Run(ctx, lc, loadgen.HTTPOp(client, loadgen.BeaconsAt(s.URL("beacon"), []string{location}))); err != nil {
			return nil, err
		}
		size.Beacon.Name = "beacon GET /beacons/locations/{id}"
		one := &latencies{}
		if size.SlowestTrack, err = loadgen.Run(ctx, lc, parallelTracking(client, s.URL("tracking"), beacons, hour, one)); err != nil {
			return nil, err
		}
		size.SlowestTrack.Name = fmt.Sprintf("slowest of %d parallel tracking GETs", n)
		size.OneTrack = loadgen.Summarize(one.get())
		if size.Aggregator, err = loadgen.Run(ctx, lc, loadgen.HTTPOp(client, loadgen.LocationQueries(s.URL("aggregator"), []string{location}, hour))); err != nil {
			return nil, err
		}
		size.Aggregator.Name = "aggregator GET /aggregator/locations/{id}/{t}"
		for _, r := range []*loadgen.Result{size.Beacon, size.SlowestTrack, size.Aggregator} {
			if r.Errors > 0 {
				return nil, fmt.Errorf("%s: %d errors (%s)", r.Name, r.Errors, loadgen.StatusString(r.Statuses))
			}
		}
		size.BudgetP50 = size.Beacon.Latency.P50 + size.SlowestTrack.Latency.P50
		size.OverheadP50 = size.Aggregator.Latency.P50 - size.BudgetP50
		size.BudgetP99 = size.Beacon.Latency.P99 + size.SlowestTrack.Latency.P99
		size.OverheadP99 = size.Aggregator.Latency.P99 - size.BudgetP99
		size.SequentialP50 = size.Beacon.Latency.P50 + float64(n)*size.OneTrack.P50
		sec.Sizes = append(sec.Sizes, size)
	}
	return sec, nil
}

type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) { l.mu.Lock(); l.d = append(l.d, d); l.mu.Unlock() }
func (l *latencies) get() []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]time.Duration(nil), l.d...)
}

// parallelTracking issues the N tracking calls of one aggregator request at
// once; the operation lasts as long as the slowest.
func parallelTracking(client *http.Client, base string, beacons []string, hour time.Time, one *latencies) loadgen.Op {
	gen := loadgen.HourQueries(base, beacons, hour)
	op := loadgen.HTTPOp(client, gen)
	return func(ctx context.Context, _ int) loadgen.Outcome {
		outs := make([]loadgen.Outcome, len(beacons))
		var wg sync.WaitGroup
		for k := range beacons {
			wg.Go(func() {
				began := time.Now()
				outs[k] = op(ctx, k)
				one.add(time.Since(began))
			})
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
