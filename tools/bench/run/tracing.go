package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/find-peers/find-peers/libs/loadgen"
	"github.com/find-peers/find-peers/libs/procstack"
)

// TracingSection is what OpenTelemetry tracing costs, measured side by side
// in one run: three stacks on one fresh Cassandra node (each with its own
// keyspaces), tracing "off" (no exporter: the services' default), "10%"
// (Zipkin exporter, parentbased_traceidratio 0.1) and "100%"
// (parentbased_always_on). The traced stacks export to a Zipkin endpoint in
// the benchmark process that decodes and counts the spans, so the cost
// measured is the services' own (spans made, batched, encoded and sent),
// not a Java collector's competing for the same 2 cores. The modes run in
// interleaved rounds, each round led by another stack; ratios compare
// medians, traced / off.
type TracingSection struct {
	Date   string            `json:"date"`
	Rounds int               `json:"rounds"`
	Runs   []*loadgen.Result `json:"runs"`
	// Spans the endpoint received from the 10% and 100% stacks.
	Spans10  uint64 `json:"spans10"`
	Spans100 uint64 `json:"spans100"`
	// HTTP batch ingest through the gateway (rows/s), traced / off.
	Ingest10  float64 `json:"ingest10VsOff"`
	Ingest100 float64 `json:"ingest100VsOff"`
	// The aggregator through the gateway (5 beacons), latency traced / off.
	FanoutP50At10  float64 `json:"fanoutP50At10VsOff"`
	FanoutP99At10  float64 `json:"fanoutP99At10VsOff"`
	FanoutP50At100 float64 `json:"fanoutP50At100VsOff"`
	FanoutP99At100 float64 `json:"fanoutP99At100VsOff"`
}

// spanSink is a Zipkin v2 endpoint on 127.0.0.1 that counts what it gets,
// per path (one path per stack).
type spanSink struct {
	url    string
	counts map[string]*atomic.Uint64
}

func startSpanSink(ctx context.Context, names ...string) (*spanSink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &spanSink{url: "http://" + ln.Addr().String(), counts: map[string]*atomic.Uint64{}}
	mux := http.NewServeMux()
	for _, n := range names {
		c := &atomic.Uint64{}
		s.counts[n] = c
		mux.HandleFunc("POST /"+n+"/api/v2/spans", func(w http.ResponseWriter, r *http.Request) {
			var spans []json.RawMessage
			if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<20)).Decode(&spans); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			c.Add(uint64(len(spans)))
			w.WriteHeader(http.StatusAccepted)
		})
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	go func() { <-ctx.Done(); srv.Close() }()
	return s, nil
}

// tracingRounds: the differences measured are small against the run-to-run
// spread of ingest on 2 cores, so more rounds than the other comparisons.
const tracingRounds = 5

func tracingSection(ctx context.Context, o options, work string, logs *os.File) (*TracingSection, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	dir := filepath.Join(work, "cassandra-tracing")
	node, err := startNode(ctx, dir, o.cqlPort+3, false)
	if err != nil {
		return nil, err
	}
	defer stopNode(dir)
	sink, err := startSpanSink(ctx, "10", "100")
	if err != nil {
		return nil, err
	}
	sampler := map[string]string{"10": "parentbased_traceidratio", "100": "parentbased_always_on"}
	var stacks []*sideStack
	for _, name := range []string{"off", "10", "100"} {
		env := []string{}
		if name != "off" {
			env = []string{"OTEL_TRACES_EXPORTER=zipkin", "OTEL_EXPORTER_ZIPKIN_ENDPOINT=" + sink.url + "/" + name + "/api/v2/spans",
				"OTEL_TRACES_SAMPLER=" + sampler[name], "OTEL_TRACES_SAMPLER_ARG=0.1"}
		}
		s, err := procstack.Start(ctx, procstack.Config{
			Bin: o.bin, CassandraHosts: node.Hosts(), Output: logs, Env: env,
			BeaconKeyspace: "bench_trace" + name + "_beacon", TrackingKeyspace: "bench_trace" + name + "_tracking",
		})
		if err != nil {
			return nil, fmt.Errorf("tracing %s stack: %w", name, err)
		}
		defer s.Stop()
		stacks = append(stacks, &sideStack{name: name, stack: s, token: s.WriteToken()})
	}
	client := loadgen.NewClient(64, 10*time.Second)
	hour := time.Date(2024, 1, 2, 10, 0, 0, 0, time.UTC)
	var modes []benchMode
	for _, st := range stacks {
		if err := seedLocation(ctx, client, st, hour); err != nil {
			return nil, fmt.Errorf("tracing %s stack: %w", st.name, err)
		}
		modes = append(modes, gatewayModes(o, client, st, hour, sightingWork(o, st.token))...)
	}
	m, err := interleave(ctx, modes, tracingRounds, len(modes)/len(stacks))
	if err != nil {
		return nil, err
	}
	ratio := func(v map[string][]float64, kind string) float64 {
		return median(v[kind]) / median(v["off-"+kindSuffix(kind)])
	}
	return &TracingSection{
		Date: time.Now().UTC().Format(time.RFC3339), Rounds: tracingRounds, Runs: m.runs,
		Spans10: sink.counts["10"].Load(), Spans100: sink.counts["100"].Load(),
		Ingest10: ratio(m.items, "10-ingest"), Ingest100: ratio(m.items, "100-ingest"),
		FanoutP50At10: ratio(m.p50, "10-fanout"), FanoutP99At10: ratio(m.p99, "10-fanout"),
		FanoutP50At100: ratio(m.p50, "100-fanout"), FanoutP99At100: ratio(m.p99, "100-fanout"),
	}, nil
}

// kindSuffix is "ingest" of "10-ingest".
func kindSuffix(kind string) string {
	_, after, _ := strings.Cut(kind, "-")
	return after
}

// runOnlyTracing measures the tracing section alone and merges it into
// docs/benchmarks/results.json; the other sections keep their own run's
// numbers (the section carries its own date), and BENCHMARKS.md is
// rendered again.
func runOnlyTracing(o options) error {
	ctx, work, logs, done, err := startOnly(&o, "services-tracing.log")
	if err != nil {
		return err
	}
	defer done()
	step("2c what tracing costs (off, 10%% and 100%% sampling side by side)")
	t, err := tracingSection(ctx, o, work, logs)
	if err != nil {
		return err
	}
	path := filepath.Join(o.out, "docs", "benchmarks", "results.json")
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var res Results
	if err := json.Unmarshal(data, &res); err != nil {
		return err
	}
	res.Tracing = t
	if data, err = json.MarshalIndent(&res, "", "  "); err != nil {
		return err
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return err
	}
	return rerender(o.out)
}
