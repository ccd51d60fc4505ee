package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/find-peers/find-peers/libs/cassandra"
	"github.com/find-peers/find-peers/libs/loadgen"
)

// compareSecurity runs, per round and per stack: raw gocql batches, HTTP
// batch ingest through the gateway, and aggregator queries through the
// gateway; stacks[0] is the open one.
func compareSecurity(ctx context.Context, o options, stacks []*sideStack) (*SecuritySection, error) {
	sec := &SecuritySection{Rounds: ingestRounds}
	client := loadgen.NewClient(64, 10*time.Second)
	hour := time.Date(2024, 1, 2, 10, 0, 0, 0, time.UTC)
	var modes []benchMode
	for _, st := range stacks {
		if err := seedLocation(ctx, client, st, hour); err != nil {
			return nil, fmt.Errorf("%s stack: %w", st.name, err)
		}
		session, err := cassandra.Connect(ctx, st.raw)
		if err != nil {
			return nil, fmt.Errorf("%s stack: raw session: %w", st.name, err)
		}
		defer session.Close()
		work := sightingWork(o, st.token)
		modes = append(modes,
			benchMode{name: fmt.Sprintf("%s: raw gocql, %d rows, tracking's batching", st.name, o.batch), kind: st.name + "-raw", lc: ingestConfig(o), op: rawBatched(session, work)},
		)
		modes = append(modes, gatewayModes(o, client, st, hour, work)...)
	}
	m, err := interleave(ctx, modes, ingestRounds, len(modes)/len(stacks))
	if err != nil {
		return nil, err
	}
	sec.Runs = m.runs
	sec.RawRatio = median(m.items["secure-raw"]) / median(m.items["open-raw"])
	sec.IngestRatio = median(m.items["secure-ingest"]) / median(m.items["open-ingest"])
	sec.FanoutP50Ratio = median(m.p50["secure-fanout"]) / median(m.p50["open-fanout"])
	sec.FanoutP99Ratio = median(m.p99["secure-fanout"]) / median(m.p99["open-fanout"])
	return sec, nil
}

// benchMode is one kind of run of a side-by-side comparison.
type benchMode struct {
	name, kind string
	lc         loadgen.Config
	op         loadgen.Op
}

func ingestConfig(o options) loadgen.Config {
	return loadgen.Config{Duration: o.ingestFor, Concurrency: o.concurrency, Timeout: 10 * time.Second, Warmup: 2 * o.concurrency}
}

// sightingWork is the ingest workload: batches over two fresh beacons.
func sightingWork(o options, token string) loadgen.SightingWorkload {
	beacons := []string{loadgen.UUID(nil), loadgen.UUID(nil)}
	return loadgen.SightingWorkload{Beacons: beacons, Batch: o.batch, At: time.Now().UTC(), Seed: uint64(time.Now().UnixNano()), Token: token}
}

// gatewayModes are the two runs through st's gateway: batch ingest, and the
// aggregator for st.location (seedLocation) at the latency rate.
func gatewayModes(o options, client *http.Client, st *sideStack, hour time.Time, work loadgen.SightingWorkload) []benchMode {
	latency := loadgen.Config{Rate: o.latencyRate, Duration: o.latencyFor, Concurrency: 32, Timeout: 10 * time.Second, Warmup: 10}
	queries := withRequestToken(loadgen.LocationQueries(st.stack.GatewayURL(), []string{st.location}, hour), st.readToken)
	return []benchMode{
		{name: fmt.Sprintf("%s: HTTP gateway, %d per POST", st.name, o.batch), kind: st.name + "-ingest", lc: ingestConfig(o), op: httpIngest(st.stack.GatewayURL(), work, o.concurrency)},
		{name: fmt.Sprintf("%s: aggregator via gateway, %d beacons", st.name, securityBeacons), kind: st.name + "-fanout", lc: latency, op: loadgen.HTTPOp(client, queries)},
	}
}

// measured holds the runs of interleave and, by mode kind, each round's
// items/s and p50/p99 latency.
type measured struct {
	runs            []*loadgen.Result
	items, p50, p99 map[string][]float64
}

// interleave runs every mode once per round, so that slow drifts of the
// machine hit every mode alike, and starts each round stride modes further
// on (stride = modes per stack: each stack goes first in turn, so no stack
// always runs right after another's writes). A run with errors fails the
// comparison.
func interleave(ctx context.Context, modes []benchMode, rounds, stride int) (*measured, error) {
	m := &measured{items: map[string][]float64{}, p50: map[string][]float64{}, p99: map[string][]float64{}}
	for round := 1; round <= rounds; round++ {
		for i := range modes {
			mode := modes[(i+(round-1)*stride)%len(modes)]
			name := fmt.Sprintf("%s (round %d/%d)", mode.name, round, rounds)
			step("  %s", name)
			res, err := loadgen.Run(ctx, mode.lc, mode.op)
			if err != nil {
				return nil, err
			}
			res.Name = name
			if res.OK == 0 || res.Errors > 0 {
				return nil, fmt.Errorf("%s: %d ok, %d errors (%s)", name, res.OK, res.Errors, loadgen.StatusString(res.Statuses))
			}
			m.runs = append(m.runs, res)
			m.items[mode.kind] = append(m.items[mode.kind], res.ItemsPerSec)
			m.p50[mode.kind] = append(m.p50[mode.kind], res.Latency.P50)
			m.p99[mode.kind] = append(m.p99[mode.kind], res.Latency.P99)
		}
	}
	return m, nil
}

// withRequestToken sends token with every request gen makes.
func withRequestToken(gen func(int) loadgen.Request, token string) func(int) loadgen.Request {
	return func(i int) loadgen.Request {
		r := gen(i)
		r.Token = token
		return r
	}
}

// seedLocation registers securityBeacons beacons at a fresh location and
// posts sightings for them in hour, all through the stack's gateway.
func seedLocation(ctx context.Context, client *http.Client, st *sideStack, hour time.Time) error {
	st.location = loadgen.UUID(nil)
	beacons := make([]string, securityBeacons)
	for i := range beacons {
		var b struct {
			BeaconID string `json:"beaconId"`
		}
		body := fmt.Sprintf(`{"locationId":%q,"beaconName":"bench beacon %d"}`, st.location, i)
		if err := postJSON(ctx, client, st.stack.GatewayURL()+"/beacons", body, st.token, &b); err != nil {
			return fmt.Errorf("register beacon: %w", err)
		}
		beacons[i] = b.BeaconID
	}
	w := loadgen.SightingWorkload{Base: st.stack.GatewayURL(), Beacons: beacons, Batch: securityBeacons * fanoutRows, At: hour, Seed: 7}
	req := w.Request(0)
	return postJSON(ctx, client, req.URL, string(req.Body), st.token, nil)
}
