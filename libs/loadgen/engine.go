// Package loadgen is the engine of tools/bench/loadgen and tools/bench/run: it issues
// operations at a fixed arrival rate (open loop) or as fast as a fixed number
// of workers can (closed loop, for capacity), bounded in count and time, and
// summarises their latencies and outcomes.
//
// Open loop: operation i is scheduled at start + i/rate, whatever happened to
// the earlier ones, and its latency is measured from that scheduled time, not
// from when a worker got round to sending it. A server that stalls therefore
// shows the stall in every request that should have been sent during it
// (no coordinated omission). Requests wait in a queue when every worker is
// busy; that wait is part of their latency, as it would be for real clients.
package loadgen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"sync"
	"time"
)

// Op performs operation i and returns its outcome. It must honour ctx.
// Warmup operations get negative indexes.
type Op func(ctx context.Context, i int) Outcome

// Outcome is the result of one operation.
type Outcome struct {
	// Status classifies the outcome: an HTTP status code as text ("201"),
	// "ok" for non-HTTP operations, or an error class ("timeout",
	// "conn-refused", "error").
	Status string
	// OK says whether it counts as a success.
	OK bool
	// Items is the number of units of work done (rows written, for a batch);
	// 0 counts as 1.
	Items int
}

// Config bounds and shapes a run.
type Config struct {
	// Rate is the arrival rate in operations per second (open loop). 0
	// means closed loop: Concurrency workers back to back, for measuring
	// capacity; latencies are then service times.
	Rate float64
	// Duration bounds the schedule (open loop) or the run (closed loop).
	Duration time.Duration
	// MaxOps bounds the number of operations (0: Rate*Duration, or
	// unbounded by count in closed loop — the duration still bounds it).
	MaxOps int
	// Concurrency is the number of workers (operations in flight).
	Concurrency int
	// Timeout bounds each operation (default 10s).
	Timeout time.Duration
	// Drain bounds the wait for operations still queued or in flight once
	// the schedule is over (default Timeout).
	Drain time.Duration
	// Warmup operations are run (closed loop, not recorded) before the
	// measured run.
	Warmup int
}

// hardMaxOps keeps every run bounded in memory even with a careless config.
const hardMaxOps = 2_000_000

func (c *Config) validate() error {
	if c.Duration <= 0 {
		return errors.New("loadgen: duration must be positive")
	}
	if c.Duration > time.Hour {
		return errors.New("loadgen: duration over one hour refused")
	}
	if c.Rate < 0 {
		return errors.New("loadgen: negative rate")
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 1
	}
	if c.Timeout <= 0 {
		c.Timeout = 10 * time.Second
	}
	if c.Drain <= 0 {
		c.Drain = c.Timeout
	}
	if c.Rate > 0 {
		scheduled := int(c.Rate * c.Duration.Seconds())
		if c.MaxOps <= 0 || c.MaxOps > scheduled {
			c.MaxOps = max(scheduled, 1)
		}
	}
	if c.MaxOps <= 0 || c.MaxOps > hardMaxOps {
		c.MaxOps = hardMaxOps
	}
	return nil
}

// Run executes op under cfg and returns the summary. It returns early, with
// what was measured so far, when ctx is cancelled.
func Run(ctx context.Context, cfg Config, op Op) (*Result, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	for i := 0; i < cfg.Warmup && ctx.Err() == nil; i++ {
		octx, cancel := context.WithTimeout(ctx, cfg.Timeout)
		op(octx, -1-i)
		cancel()
	}
	rec := newRecorder(cfg.MaxOps)
	var elapsed time.Duration
	if cfg.Rate > 0 {
		elapsed = runOpen(ctx, cfg, op, rec)
	} else {
		elapsed = runClosed(ctx, cfg, op, rec)
	}
	res := rec.result(elapsed)
	res.Rate = cfg.Rate
	res.Concurrency = cfg.Concurrency
	if cfg.Rate > 0 {
		res.Mode = "open"
	} else {
		res.Mode = "closed"
	}
	return res, nil
}

type job struct {
	i     int
	sched time.Time
}

func runOpen(ctx context.Context, cfg Config, op Op, rec *recorder) time.Duration {
	// The queue can hold the whole schedule, so the scheduler never waits
	// for workers: arrivals stay on the clock.
	jobs := make(chan job, cfg.MaxOps)
	runCtx, cancelRun := context.WithCancel(ctx)
	defer cancelRun()
	var wg sync.WaitGroup
	for range cfg.Concurrency {
		wg.Go(func() {
			for j := range jobs {
				if runCtx.Err() != nil {
					rec.add(time.Since(j.sched), Outcome{Status: "not-sent"})
					continue
				}
				octx, cancel := context.WithTimeout(runCtx, cfg.Timeout)
				out := op(octx, j.i)
				cancel()
				rec.add(time.Since(j.sched), out)
			}
		})
	}
	start := time.Now()
	interval := time.Duration(float64(time.Second) / cfg.Rate)
	deadline := start.Add(cfg.Duration)
schedule:
	for i := 0; i < cfg.MaxOps; i++ {
		at := start.Add(time.Duration(i) * interval)
		if !at.Before(deadline) {
			break
		}
		if d := time.Until(at); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				break schedule
			}
		}
		jobs <- job{i: i, sched: at}
	}
	close(jobs)
	// Bounded drain: operations still queued after it are counted as not
	// sent, with their latency so far.
	drained := make(chan struct{})
	go func() { wg.Wait(); close(drained) }()
	select {
	case <-drained:
	case <-time.After(cfg.Drain + time.Until(deadline)):
		cancelRun()
		<-drained
	case <-ctx.Done():
		<-drained
	}
	return time.Since(start)
}

func runClosed(ctx context.Context, cfg Config, op Op, rec *recorder) time.Duration {
	runCtx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	var next sync.Mutex
	n := 0
	take := func() (int, bool) {
		next.Lock()
		defer next.Unlock()
		if n >= cfg.MaxOps || runCtx.Err() != nil {
			return 0, false
		}
		n++
		return n - 1, true
	}
	start := time.Now()
	var wg sync.WaitGroup
	for range cfg.Concurrency {
		wg.Go(func() {
			for {
				i, ok := take()
				if !ok {
					return
				}
				began := time.Now()
				// An operation that started before the deadline may
				// finish after it (bounded by Timeout): not cut short, so
				// that the count of completed work stays honest.
				octx, cancel := context.WithTimeout(ctx, cfg.Timeout)
				out := op(octx, i)
				cancel()
				rec.add(time.Since(began), out)
			}
		})
	}
	wg.Wait()
	return time.Since(start)
}

// recorder keeps every latency (bounded by MaxOps) for exact percentiles.
type recorder struct {
	mu       sync.Mutex
	lat      []time.Duration
	statuses map[string]int
	ok       int
	items    int
}

func newRecorder(n int) *recorder {
	return &recorder{lat: make([]time.Duration, 0, min(n, 1<<16)), statuses: map[string]int{}}
}

func (r *recorder) add(d time.Duration, o Outcome) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lat = append(r.lat, d)
	r.statuses[o.Status]++
	if o.OK {
		r.ok++
		r.items += max(o.Items, 1)
	}
}

func (r *recorder) result(elapsed time.Duration) *Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	res := &Result{
		Ops:      len(r.lat),
		OK:       r.ok,
		Errors:   len(r.lat) - r.ok,
		Items:    r.items,
		Statuses: r.statuses,
		Elapsed:  Seconds(elapsed),
		Latency:  Summarize(r.lat),
	}
	if s := elapsed.Seconds(); s > 0 {
		res.Throughput = float64(r.ok) / s
		res.ItemsPerSec = float64(r.items) / s
	}
	return res
}

// Result is the summary of one run.
type Result struct {
	Name        string         `json:"name,omitempty"`
	Mode        string         `json:"mode"` // open | closed
	Rate        float64        `json:"rate,omitempty"`
	Concurrency int            `json:"concurrency"`
	Elapsed     Seconds        `json:"elapsedSeconds"`
	Ops         int            `json:"ops"`
	OK          int            `json:"ok"`
	Errors      int            `json:"errors"`
	Items       int            `json:"items"`
	Throughput  float64        `json:"throughputOpsPerSec"`
	ItemsPerSec float64        `json:"itemsPerSec"`
	Statuses    map[string]int `json:"statuses"`
	Latency     Latency        `json:"latencyMs"`
}

// Seconds marshals a duration as seconds.
type Seconds time.Duration

func (s Seconds) MarshalJSON() ([]byte, error) {
	return fmt.Appendf(nil, "%.3f", time.Duration(s).Seconds()), nil
}

// UnmarshalJSON reads what MarshalJSON wrote (results are re-read to render).
func (s *Seconds) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*s = Seconds(f * float64(time.Second))
	return nil
}

// Latency holds percentiles in milliseconds.
type Latency struct {
	Min  float64 `json:"min"`
	Mean float64 `json:"mean"`
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
}

// Summarize computes exact percentiles (nearest rank) of samples by sorting
// a copy. Every sample is kept, so there is no bucketing error; at the
// bounded counts of a run (at most a few million) the sort takes well under a
// second, so an HDR histogram would buy nothing here.
func Summarize(samples []time.Duration) Latency {
	if len(samples) == 0 {
		return Latency{}
	}
	s := append([]time.Duration(nil), samples...)
	sort.Slice(s, func(a, b int) bool { return s[a] < s[b] })
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	return Latency{
		Min:  ms(s[0]),
		Mean: ms(sum / time.Duration(len(s))),
		P50:  ms(Percentile(s, 50)),
		P90:  ms(Percentile(s, 90)),
		P99:  ms(Percentile(s, 99)),
		Max:  ms(s[len(s)-1]),
	}
}

// Percentile returns the nearest-rank p-th percentile of sorted samples.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(float64(len(sorted))*p/100)) - 1
	rank = max(0, min(rank, len(sorted)-1))
	return sorted[rank]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
