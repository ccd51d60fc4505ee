package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/find-peers/find-peers/libs/loadgen"
	"github.com/find-peers/find-peers/libs/procstack"
)

// FanoutSection measures, per location size, the aggregator's latency and
// what its upstream calls cost on their own: the beacon call, and the
// batched tracking calls the aggregator makes for the location (one GET
// /tracking/sightings per chunk of trackingBatch beacons, issued in
// parallel from the benchmark; the operation lasts as long as the slowest).
// Every size is seeded first; the sizes but the largest then run in Rounds
// interleaved rounds (Summary says how rounds are combined), the largest
// once at the end, after which it reads the aggregator process's peak
// memory.
type FanoutSection struct {
	Rate     float64      `json:"rate"`
	Duration float64      `json:"durationSeconds"` // of each run
	Rounds   int          `json:"rounds,omitempty"`
	Summary  string       `json:"summary,omitempty"`
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
	// AggregatorP50s is each round's aggregator p50, in round order: the
	// spread behind the median.
	AggregatorP50s []float64 `json:"aggregatorP50sMs,omitempty"`
	// CPUPerRequest is, per service process, its CPU time during the
	// aggregator runs divided by their requests (ms; median over rounds):
	// what one aggregator request costs each service, in 10 ms ticks, so
	// only a run's total is precise.
	CPUPerRequest map[string]float64 `json:"cpuPerAggregatorRequestMs,omitempty"`
	BudgetP50     float64            `json:"budgetP50Ms"`   // beacon p50 + batched tracking p50
	OverheadP50   float64            `json:"overheadP50Ms"` // aggregator p50 - budget
	BudgetP99     float64            `json:"budgetP99Ms"`
	OverheadP99   float64            `json:"overheadP99Ms"`
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

// fanoutRounds: three rounds give a median that one slow run cannot move.
const fanoutRounds = 3

// fanoutSummary is how the rounds of one size are combined (FanoutSection.Summary).
const fanoutSummary = "per size: p50, p90 and p99 are the medians of the rounds' own (not pooled samples); min and max over all rounds; counts summed"

func fanoutSection(ctx context.Context, o options, s *procstack.Stack) (*FanoutSection, error) {
	sec := &FanoutSection{Rate: o.latencyRate, Duration: o.latencyFor.Seconds(), Rounds: fanoutRounds, Summary: fanoutSummary}
	client := loadgen.NewClient(64, 10*time.Second)
	hour := time.Date(2024, 1, 2, 10, 0, 0, 0, time.UTC)
	lc := loadgen.Config{Rate: o.latencyRate, Duration: o.latencyFor, Concurrency: 32, Timeout: 10 * time.Second, Warmup: 10}
	// Seed every size first, so that no size is measured right after the
	// writes of its own seeding and the others are not.
	runs := make([]*fanoutRuns, len(fanoutSizes))
	for i, n := range fanoutSizes {
		location, beacons, err := seedFanoutLocation(ctx, client, s, n, hour)
		if err != nil {
			return nil, err
		}
		runs[i] = &fanoutRuns{n: n, location: location, beacons: beacons}
	}
	// Rounds over the small sizes, each round led by the next size, so that
	// slow drifts of the shared machine hit 1 and 100 beacons alike; the
	// largest size runs once, last: it saturates the node (queueing), and
	// whatever ran after it would inherit the backlog.
	small, big := runs[:len(runs)-1], runs[len(runs)-1]
	for round := range fanoutRounds {
		step("  round %d/%d", round+1, fanoutRounds)
		for k := range small {
			r := small[(k+round)%len(small)]
			if err := r.measure(ctx, lc, client, s, hour); err != nil {
				return nil, err
			}
		}
	}
	if err := big.measure(ctx, lc, client, s, hour); err != nil {
		return nil, err
	}
	for _, r := range runs {
		sec.Sizes = append(sec.Sizes, r.summarize())
	}
	if pid, err := s.PID("aggregator"); err == nil {
		sec.AggregatorPeakKiB, err = vmHWM(pid)
		if err != nil {
			step("  aggregator peak memory not read: %v", err)
		}
	}
	return sec, nil
}

// fanoutRuns is one location size's seeded data and its runs so far.
type fanoutRuns struct {
	n                            int
	location                     string
	beacons                      []string
	beacon, tracking, aggregator []*loadgen.Result
	cpu                          map[string][]float64 // per service, per run
}

// serviceCPU is the CPU time each fan-out service process has used so far.
func serviceCPU(s *procstack.Stack) map[string]time.Duration {
	return processCPU(stackPIDs(s, "beacon", "tracking", "aggregator"))
}

// stackPIDs maps the named services of s to their process ids; a service
// whose process id is not known is left out.
func stackPIDs(s *procstack.Stack, names ...string) map[string]int {
	pids := map[string]int{}
	for _, name := range names {
		if pid, err := s.PID(name); err == nil {
			pids[name] = pid
		}
	}
	return pids
}

// processCPU is the CPU time each named process has used so far; one whose
// time cannot be read is left out.
func processCPU(pids map[string]int) map[string]time.Duration {
	out := map[string]time.Duration{}
	for name, pid := range pids {
		if t, err := cpuTime(pid); err == nil {
			out[name] = t
		}
	}
	return out
}

// measure runs the beacon call, the batched tracking calls and the
// aggregator once each, back to back. The aggregator's errors are kept,
// not fatal: at 500 beacons a 504 (the request deadline) is what the goal
// checks for.
func (r *fanoutRuns) measure(ctx context.Context, lc loadgen.Config, client *http.Client, s *procstack.Stack, hour time.Time) error {
	calls := (r.n + trackingBatch - 1) / trackingBatch
	step("  %d beacon(s): beacon call, %d batched tracking call(s), aggregator", r.n, calls)
	b, err := loadgen.Run(ctx, lc, loadgen.HTTPOp(client, loadgen.BeaconsAt(s.URL("beacon"), []string{r.location})))
	if err != nil {
		return err
	}
	b.Name = "beacon GET /beacons/locations/{id}"
	t, err := loadgen.Run(ctx, lc, batchedTracking(client, s.URL("tracking"), r.beacons, hour))
	if err != nil {
		return err
	}
	t.Name = fmt.Sprintf("slowest of %d parallel GET /tracking/sightings (%d beacons)", calls, r.n)
	before := serviceCPU(s)
	a, err := loadgen.Run(ctx, lc, loadgen.HTTPOp(client, loadgen.LocationQueries(s.URL("aggregator"), []string{r.location}, hour)))
	if err != nil {
		return err
	}
	for name, t := range serviceCPU(s) {
		if r.cpu == nil {
			r.cpu = map[string][]float64{}
		}
		if a.Ops > 0 {
			r.cpu[name] = append(r.cpu[name], float64(t-before[name])/float64(time.Millisecond)/float64(a.Ops))
		}
	}
	a.Name = "aggregator GET /aggregator/locations/{id}/{t}"
	for _, x := range []*loadgen.Result{b, t} {
		if x.Errors > 0 {
			return fmt.Errorf("%s: %d errors (%s)", x.Name, x.Errors, loadgen.StatusString(x.Statuses))
		}
	}
	r.beacon, r.tracking, r.aggregator = append(r.beacon, b), append(r.tracking, t), append(r.aggregator, a)
	return nil
}

func (r *fanoutRuns) summarize() FanoutSize {
	size := FanoutSize{Beacons: r.n, RowsPerBeacon: fanoutRows, TrackingCalls: (r.n + trackingBatch - 1) / trackingBatch,
		Beacon: combine(r.beacon), Tracking: combine(r.tracking), Aggregator: combine(r.aggregator)}
	for _, a := range r.aggregator {
		if len(r.aggregator) > 1 { // one run (the largest size) is its own median
			size.AggregatorP50s = append(size.AggregatorP50s, a.Latency.P50)
		}
	}
	for name, v := range r.cpu {
		if size.CPUPerRequest == nil {
			size.CPUPerRequest = map[string]float64{}
		}
		size.CPUPerRequest[name] = median(v)
	}
	size.BudgetP50 = size.Beacon.Latency.P50 + size.Tracking.Latency.P50
	size.OverheadP50 = size.Aggregator.Latency.P50 - size.BudgetP50
	size.BudgetP99 = size.Beacon.Latency.P99 + size.Tracking.Latency.P99
	size.OverheadP99 = size.Aggregator.Latency.P99 - size.BudgetP99
	return size
}

// combine summarizes the rounds of one measurement as fanoutSummary says:
// p50, p90 and p99 the medians of the rounds' own, min/max over all
// rounds, counts summed, mean and rates averaged.
func combine(rs []*loadgen.Result) *loadgen.Result {
	c := *rs[0]
	c.Statuses = map[string]int{}
	c.Ops, c.OK, c.Errors, c.Items = 0, 0, 0, 0
	c.Latency.Mean, c.Throughput, c.ItemsPerSec, c.Elapsed = 0, 0, 0, 0
	var p50, p90, p99 []float64
	for _, r := range rs {
		c.Ops, c.OK, c.Errors, c.Items = c.Ops+r.Ops, c.OK+r.OK, c.Errors+r.Errors, c.Items+r.Items
		for k, v := range r.Statuses {
			c.Statuses[k] += v
		}
		c.Elapsed += r.Elapsed
		c.Latency.Min, c.Latency.Max = min(c.Latency.Min, r.Latency.Min), max(c.Latency.Max, r.Latency.Max)
		c.Latency.Mean += r.Latency.Mean / float64(len(rs))
		c.Throughput += r.Throughput / float64(len(rs))
		c.ItemsPerSec += r.ItemsPerSec / float64(len(rs))
		p50, p90, p99 = append(p50, r.Latency.P50), append(p90, r.Latency.P90), append(p99, r.Latency.P99)
	}
	c.Latency.P50, c.Latency.P90, c.Latency.P99 = median(p50), median(p90), median(p99)
	if len(rs) > 1 {
		c.Name = fmt.Sprintf("%s (median of %d rounds)", c.Name, len(rs))
	}
	return &c
}
