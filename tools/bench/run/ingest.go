package main

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/gocql/gocql"

	"github.com/find-peers/find-peers/libs/cassandra"
	"github.com/find-peers/find-peers/libs/loadgen"
	"github.com/find-peers/find-peers/libs/procstack"
)

// IngestSection compares ways of writing sightings, each closed loop with the
// same number of operations in flight, measured in rows per second.
type IngestSection struct {
	Concurrency int               `json:"concurrency"`
	Batch       int               `json:"batch"`
	Beacons     int               `json:"beaconsPerBatch"`
	Runs        []*loadgen.Result `json:"runs"`
	// Rounds of the batched modes; the ratios compare medians of rounds.
	Rounds int `json:"rounds"`
	// Prebuilt is how many requests each mode builds before it runs.
	Prebuilt int `json:"prebuiltRequests,omitempty"`
	// CPUPer1000Rows is, per mode (raw-batched, tracking, gateway) and
	// process (cassandra, tracking, gateway, bench: the load generator and
	// raw gocql), the CPU time spent per 1 000 rows written, median over
	// the rounds; warm-up operations (about 1 % of a run) are included.
	CPUPer1000Rows map[string]map[string]float64 `json:"cpuMsPer1000Rows,omitempty"`
	// Ratios of rows/s against raw single-row prepared inserts.
	TrackingVsRaw float64 `json:"trackingBatchVsRawInsert"`
	GatewayVsRaw  float64 `json:"gatewayBatchVsRawInsert"`
	// Against raw gocql doing tracking's own batching, the fastest raw
	// path: the data path's limit, which the goal is judged against.
	TrackingVsRawBatched float64 `json:"trackingBatchVsRawBatched"`
	GatewayVsRawBatched  float64 `json:"gatewayBatchVsRawBatched"`
}

// ingestRounds is how many times each batched mode runs: twice in each
// position (first, second, third of a round).
const ingestRounds = 6

const (
	insertCQL      = `INSERT INTO users_by_beacon (beacon_id, hour, time_logged, user_id, name) VALUES (?, ?, ?, ?, ?)`
	ingestBeacons  = 10 // partitions per batch: sightings from 10 beacons
	storeBatchRows = 50 // tracking's rows per unlogged batch
	storeWriteConc = 8  // tracking's batches in flight per request
)

func ingestSection(ctx context.Context, o options, hosts string, cassandraPID int, s *procstack.Stack) (*IngestSection, error) {
	sec := &IngestSection{Concurrency: o.concurrency, Batch: o.batch, Beacons: ingestBeacons}
	beacons := make([]string, ingestBeacons)
	for i := range beacons {
		beacons[i] = loadgen.UUID(nil)
	}
	// A recent hour, so the rows look like live traffic (no TTL is set).
	at := time.Now().UTC()
	work := loadgen.SightingWorkload{Beacons: beacons, Batch: o.batch, At: at, Seed: uint64(time.Now().UnixNano())}

	// The raw session has the services' own settings (libs/cassandra defaults).
	os.Setenv(cassandra.EnvHosts, hosts)
	cfg, err := cassandra.FromEnv(benchTrackingKS)
	if err != nil {
		return nil, err
	}
	session, err := cassandra.Connect(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer session.Close()

	lc := loadgen.Config{Duration: o.ingestFor, Concurrency: o.concurrency, Timeout: 10 * time.Second, Warmup: 2 * o.concurrency}
	type run struct {
		name, kind string
		op         loadgen.Op
	}
	batched := []run{
		{fmt.Sprintf("raw gocql: %d rows, tracking's batching", o.batch), "raw-batched", rawBatched(session, work)},
		{fmt.Sprintf("HTTP tracking: %d per POST", o.batch), "tracking", httpIngest(s.URL("tracking"), work, o.concurrency)},
		{fmt.Sprintf("HTTP gateway: %d per POST", o.batch), "gateway", httpIngest(s.GatewayURL(), withToken(work, s.WriteToken()), o.concurrency)},
	}
	// The batched modes, whose ratio is the goal, run in ingestRounds
	// interleaved rounds and are compared by their medians: Cassandra's
	// flushes and compactions make one run of a few seconds differ from the
	// next by tens of percent, and always running one mode first would hand
	// it the emptier memtables.
	// Each round starts with the next mode (raw, tracking, gateway; then
	// tracking, gateway, raw; ...), so no mode always runs first or last.
	runs := []run{{"raw gocql: 1 row per INSERT", "raw-single", rawSingle(session, work)}}
	for round := 1; round <= ingestRounds; round++ {
		for k := range batched {
			r := batched[(round-1+k)%len(batched)]
			r.name = fmt.Sprintf("%s (round %d/%d)", r.name, round, ingestRounds)
			runs = append(runs, r)
		}
	}
	runs = append(runs, run{"HTTP tracking: 1 per POST", "tracking-single", httpIngest(s.URL("tracking"), withBatch(work, 1), o.concurrency)})
	pids := stackPIDs(s, "tracking", "gateway")
	pids["bench"] = os.Getpid()
	if cassandraPID > 0 {
		pids["cassandra"] = cassandraPID
	}
	perKind := map[string][]float64{}
	cpu := map[string]map[string][]float64{} // kind -> process -> per run
	for _, r := range runs {
		step("  %s", r.name)
		before := processCPU(pids)
		res, err := loadgen.Run(ctx, lc, r.op)
		if err != nil {
			return nil, err
		}
		addCPUPer1000(cpu, r.kind, before, processCPU(pids), res.Items)
		res.Name = r.name
		if res.OK == 0 {
			return nil, fmt.Errorf("%s: nothing succeeded (%s)", r.name, loadgen.StatusString(res.Statuses))
		}
		sec.Runs = append(sec.Runs, res)
		perKind[r.kind] = append(perKind[r.kind], res.ItemsPerSec)
	}
	raw, rawBatch := median(perKind["raw-single"]), median(perKind["raw-batched"])
	tracking, gateway := median(perKind["tracking"]), median(perKind["gateway"])
	sec.Rounds, sec.Prebuilt = ingestRounds, ingestPool
	sec.CPUPer1000Rows = map[string]map[string]float64{}
	for kind, procs := range cpu {
		sec.CPUPer1000Rows[kind] = map[string]float64{}
		total := 0.0
		for name, v := range procs {
			sec.CPUPer1000Rows[kind][name] = median(v)
			total += median(v)
		}
		sec.CPUPer1000Rows[kind]["total"] = total
	}
	sec.TrackingVsRaw, sec.GatewayVsRaw = tracking/raw, gateway/raw
	sec.TrackingVsRawBatched, sec.GatewayVsRawBatched = tracking/rawBatch, gateway/rawBatch
	return sec, nil
}

// addCPUPer1000 records, for a run of kind that wrote rows, each process's
// CPU time between before and after per 1 000 rows.
func addCPUPer1000(cpu map[string]map[string][]float64, kind string, before, after map[string]time.Duration, rows int) {
	if rows <= 0 {
		return
	}
	if cpu[kind] == nil {
		cpu[kind] = map[string][]float64{}
	}
	for name, t := range after {
		if b, ok := before[name]; ok {
			cpu[kind][name] = append(cpu[kind][name], float64(t-b)/float64(time.Millisecond)*1000/float64(rows))
		}
	}
}

func withBatch(w loadgen.SightingWorkload, n int) loadgen.SightingWorkload {
	w.Batch = n
	return w
}

// withToken is w sending the gateway write key.
func withToken(w loadgen.SightingWorkload, token string) loadgen.SightingWorkload {
	w.Token = token
	return w
}

// ingestPool is how many distinct requests (or row sets, for raw gocql) an
// ingest mode builds before it runs and then sends in turn: the benchmark
// shares the 2 cores with Cassandra and the services, so encoding JSON or
// making ids inside the run would charge the load generator's own work to
// the mode measured (more to HTTP, which encodes JSON, than to raw gocql).
// After ingestPool operations a mode overwrites rows it wrote, the same for
// every mode.
const ingestPool = 1024

func httpIngest(base string, w loadgen.SightingWorkload, conc int) loadgen.Op {
	w.Base = base
	return loadgen.HTTPOp(loadgen.NewClient(conc, 10*time.Second), loadgen.Prebuilt(ingestPool, w.Request))
}

type row struct {
	beacon, user gocql.UUID
	hour, t      time.Time
	name         string
}

func rows(w loadgen.SightingWorkload, i int) []row {
	in := w.Rows(i)
	out := make([]row, len(in))
	for k, s := range in {
		t, _ := time.Parse(time.RFC3339Nano, s.TimeLogged)
		b, _ := gocql.ParseUUID(s.BeaconID)
		u, _ := gocql.ParseUUID(s.UserID)
		out[k] = row{beacon: b, user: u, t: t, hour: t.Truncate(time.Hour), name: s.Name}
	}
	return out
}

// rawSingle writes one row per operation: a prepared, idempotent INSERT,
// as gocql prepares every statement with bind markers.
func rawSingle(session *gocql.Session, w loadgen.SightingWorkload) loadgen.Op {
	w.Batch = 1
	pool := loadgen.Prebuilt(ingestPool, func(i int) []row { return rows(w, i) })
	return func(ctx context.Context, i int) loadgen.Outcome {
		r := pool(i)[0]
		err := session.Query(insertCQL, r.beacon, r.hour, r.t, r.user, r.name).WithContext(ctx).Idempotent(true).Exec()
		return cqlOutcome(err, 1)
	}
}

// rawBatched writes a request's rows the way tracking's store does:
// unlogged batches of at most 50 rows per partition, up to 8 in flight.
func rawBatched(session *gocql.Session, w loadgen.SightingWorkload) loadgen.Op {
	pool := loadgen.Prebuilt(ingestPool, func(i int) []row { return rows(w, i) })
	return func(ctx context.Context, i int) loadgen.Outcome {
		rs := pool(i)
		type key struct {
			b gocql.UUID
			h time.Time
		}
		groups := map[key][]row{}
		var order []key
		for _, r := range rs {
			k := key{r.beacon, r.hour}
			if _, ok := groups[k]; !ok {
				order = append(order, k)
			}
			groups[k] = append(groups[k], r)
		}
		var (
			wg    sync.WaitGroup
			sem   = make(chan struct{}, storeWriteConc)
			mu    sync.Mutex
			first error
		)
		for _, k := range order {
			g := groups[k]
			for start := 0; start < len(g); start += storeBatchRows {
				chunk := g[start:min(start+storeBatchRows, len(g))]
				sem <- struct{}{}
				wg.Go(func() {
					defer func() { <-sem }()
					b := session.NewBatch(gocql.UnloggedBatch).WithContext(ctx)
					for _, r := range chunk {
						b.Query(insertCQL, r.beacon, r.hour, r.t, r.user, r.name)
					}
					if err := session.ExecuteBatch(b); err != nil {
						mu.Lock()
						first = err
						mu.Unlock()
					}
				})
			}
		}
		wg.Wait()
		return cqlOutcome(first, len(rs))
	}
}

func cqlOutcome(err error, n int) loadgen.Outcome {
	if err != nil {
		return loadgen.Outcome{Status: "cql-" + loadgen.ErrorClass(err)}
	}
	return loadgen.Outcome{Status: "ok", OK: true, Items: n}
}
