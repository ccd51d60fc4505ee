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
func compareSecurity(ctx context.Context, o options, stacks []*securityStack) (*SecuritySection, error) {
	sec := &SecuritySection{Rounds: ingestRounds}
	client := loadgen.NewClient(64, 10*time.Second)
	hour := time.Date(2024, 1, 2, 10, 0, 0, 0, time.UTC)
	type mode struct {
		name, kind string
		lc         loadgen.Config
		op         loadgen.Op
		close      func()
	}
	ingest := loadgen.Config{Duration: o.ingestFor, Concurrency: o.concurrency, Timeout: 10 * time.Second, Warmup: 2 * o.concurrency}
	latency := loadgen.Config{Rate: o.latencyRate, Duration: o.latencyFor, Concurrency: 32, Timeout: 10 * time.Second, Warmup: 10}
	var modes []mode
	for _, st := range stacks {
		if err := seedLocation(ctx, client, st, hour); err != nil {
			return nil, fmt.Errorf("%s stack: %w", st.name, err)
		}
		session, err := cassandra.Connect(ctx, st.raw)
		if err != nil {
			return nil, fmt.Errorf("%s stack: raw session: %w", st.name, err)
		}
		defer session.Close()
		beacons := []string{loadgen.UUID(nil), loadgen.UUID(nil)}
		work := loadgen.SightingWorkload{Beacons: beacons, Batch: o.batch, At: time.Now().UTC(), Seed: uint64(time.Now().UnixNano()), Token: st.token}
		queries := withRequestToken(loadgen.LocationQueries(st.stack.GatewayURL(), []string{st.location}, hour), st.token)
		modes = append(modes,
			mode{name: fmt.Sprintf("%s: raw gocql, %d rows, tracking's batching", st.name, o.batch), kind: st.name + "-raw", lc: ingest, op: rawBatched(session, work)},
			mode{name: fmt.Sprintf("%s: HTTP gateway, %d per POST", st.name, o.batch), kind: st.name + "-ingest", lc: ingest, op: httpIngest(st.stack.GatewayURL(), work, o.concurrency)},
			mode{name: fmt.Sprintf("%s: aggregator via gateway, %d beacons", st.name, securityBeacons), kind: st.name + "-fanout", lc: latency, op: loadgen.HTTPOp(client, queries)},
		)
	}
	items, p50, p99 := map[string][]float64{}, map[string][]float64{}, map[string][]float64{}
	for round := 1; round <= ingestRounds; round++ {
		for _, m := range modes {
			name := fmt.Sprintf("%s (round %d/%d)", m.name, round, ingestRounds)
			step("  %s", name)
			res, err := loadgen.Run(ctx, m.lc, m.op)
			if err != nil {
				return nil, err
			}
			res.Name = name
			if res.OK == 0 || res.Errors > 0 {
				return nil, fmt.Errorf("%s: %d ok, %d errors (%s)", name, res.OK, res.Errors, loadgen.StatusString(res.Statuses))
			}
			sec.Runs = append(sec.Runs, res)
			items[m.kind] = append(items[m.kind], res.ItemsPerSec)
			p50[m.kind] = append(p50[m.kind], res.Latency.P50)
			p99[m.kind] = append(p99[m.kind], res.Latency.P99)
		}
	}
	sec.RawRatio = median(items["secure-raw"]) / median(items["open-raw"])
	sec.IngestRatio = median(items["secure-ingest"]) / median(items["open-ingest"])
	sec.FanoutP50Ratio = median(p50["secure-fanout"]) / median(p50["open-fanout"])
	sec.FanoutP99Ratio = median(p99["secure-fanout"]) / median(p99["open-fanout"])
	return sec, nil
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
func seedLocation(ctx context.Context, client *http.Client, st *securityStack, hour time.Time) error {
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
