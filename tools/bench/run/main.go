// Command bench measures find-peers side by side in one run and writes the
// numbers into the repository: docs/BENCHMARKS.md (tables, rendered from
// benchmarks.md.tmpl) and docs/benchmarks/results.json.
//
//	tools/bazel run //tools/bench/run            (services and images from Bazel)
//	tools/bazel run //tools/bench/run -- -quick  (shorter runs, for a smoke test)
//	CASSANDRA_HOSTS=127.0.0.1:9042 tools/bazel run //tools/bench/run   (use a running Cassandra)
//	tools/bazel run //tools/bench/run -- -only-fanout   (section 2 alone, printed; writes nothing into docs/)
//	tools/bazel run //tools/bench/run -- -only-ingest   (section 1 alone, likewise)
//	tools/bazel run //tools/bench/run -- -only-containers   (container start alone, likewise)
//
// Without CASSANDRA_HOSTS it starts its own Cassandra with libs/cassandra/launcher on ports of its own (CQL 29042) and stops it at the end. Sections:
//
//  1. ingest throughput: raw gocql prepared inserts into users_by_beacon vs
//     HTTP batch ingest through tracking and through the gateway, same
//     concurrency, closed loop (capacity);
//  2. aggregator latency vs beacon call + its batched tracking calls, for
//     locations with 1, 20, 100 and 500 beacons, open loop at a fixed rate,
//     and the aggregator's peak memory after the 500 run;
//  3. image facts from the images' .digest files (compressed vs binary size);
//  4. container start-to-ready with podman (--network host), each service
//     side by side with the podman floor (an image whose binary does nothing);
//  5. Bazel timings, taken from docs/benchmarks/bazel.json written by tools/bench-bazel
//     (which must run outside Bazel).
//
// Everything runs on 127.0.0.1; every load is bounded in count and time.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/find-peers/find-peers/libs/cassandra/launcher"
	"github.com/find-peers/find-peers/libs/procstack"
)

type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

type options struct {
	bin          procstack.Binaries
	digests      multi  // name=path
	tarballs     multi  // name=path
	floorTarball string // the podman floor image (//tools/bench/floor:image)
	floorDigest  string
	floorBin     string // its binary, for the bare-process figure
	out          string
	quick        bool
	noContainers bool
	noSecurity   bool
	noTracing    bool
	concurrency  int
	batch        int
	ingestFor    time.Duration
	latencyFor   time.Duration
	latencyRate  float64
	cqlPort      int
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run() error {
	var o options
	o.bin.RegisterFlags(flag.CommandLine)
	flag.Var(&o.digests, "digest", "service=path of an image's .digest file (repeat)")
	flag.Var(&o.tarballs, "tarball", "service=path of an image's podman tarball (repeat)")
	flag.StringVar(&o.floorTarball, "floor-tarball", "", "podman tarball of the floor image (//tools/bench/floor:image): what `podman run` costs with no service")
	flag.StringVar(&o.floorDigest, "floor-digest", "", "the floor image's .digest file")
	flag.StringVar(&o.floorBin, "floor-bin", "", "the floor binary (//tools/bench/floor), for its bare-process start")
	def := os.Getenv("BUILD_WORKSPACE_DIRECTORY")
	if def == "" {
		def = "."
	}
	flag.StringVar(&o.out, "out", def, "repository root: docs/BENCHMARKS.md and docs/benchmarks/results.json are written there")
	flag.BoolVar(&o.quick, "quick", false, "short runs (smoke test); numbers are not written to docs/BENCHMARKS.md")
	flag.BoolVar(&o.noContainers, "no-containers", false, "skip the podman start-to-ready section")
	flag.BoolVar(&o.noSecurity, "no-security", false, "skip the section measuring what authentication and TLS cost")
	flag.BoolVar(&o.noTracing, "no-tracing", false, "skip the section measuring what tracing costs")
	onlyTracing := flag.Bool("only-tracing", false, "run only the tracing section and merge it into docs/benchmarks/results.json")
	onlyFanout := flag.Bool("only-fanout", false, "run only the fan-out section (2) and print its table; writes nothing into docs/")
	onlyIngest := flag.Bool("only-ingest", false, "run only the ingest section (1) and print its table; writes nothing into docs/")
	onlyContainers := flag.Bool("only-containers", false, "run only the container start section and print its table; writes nothing into docs/")
	flag.IntVar(&o.concurrency, "concurrency", 16, "ingest: requests (or CQL statements) in flight")
	flag.IntVar(&o.batch, "batch", 100, "ingest: sightings per HTTP batch")
	flag.DurationVar(&o.ingestFor, "ingest-duration", 10*time.Second, "length of each ingest run")
	flag.DurationVar(&o.latencyFor, "latency-duration", 8*time.Second, "length of each latency run")
	flag.Float64Var(&o.latencyRate, "latency-rate", 25, "arrivals per second of the latency runs")
	flag.IntVar(&o.cqlPort, "cql-port", 29042, "CQL port of the Cassandra the benchmark starts")
	render := flag.Bool("render", false, "only rewrite docs/BENCHMARKS.md from docs/benchmarks/results.json and docs/benchmarks/ANALYSIS.md")
	flag.Parse()
	if *render {
		return rerender(o.out)
	}
	if *onlyTracing {
		return runOnlyTracing(o)
	}
	if o.quick {
		o.ingestFor, o.latencyFor = 3*time.Second, 2*time.Second
	}
	if *onlyFanout {
		return runOnly(o, "fanout")
	}
	if *onlyIngest {
		return runOnly(o, "ingest")
	}
	if *onlyContainers {
		return runOnly(o, "containers")
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	began := time.Now()
	res := &Results{Date: time.Now().UTC().Format(time.RFC3339), Machine: describeMachine(), Quick: o.quick,
		Command: "tools/bazel run //tools/bench/run   (then tools/bench-bazel for the Bazel rows, run before it)"}

	work, err := workDir()
	if err != nil {
		return err
	}
	if err := procstack.BuildMissing(ctx, &o.bin, filepath.Join(work, "bin"), os.Stderr); err != nil {
		return err
	}

	// Section 3 first: it needs no server.
	res.Images = imageFacts(o.digests, o.bin)

	hosts, desc, cassandraPID, stopCassandra, err := benchCassandra(ctx, o, work)
	if err != nil {
		return err
	}
	defer stopCassandra()
	res.Cassandra = desc

	logPath := filepath.Join(work, "services.log")
	logs, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer logs.Close()
	step("starting the four services (logs: %s)", logPath)
	s, err := procstack.Start(ctx, procstack.Config{
		Bin: o.bin, CassandraHosts: hosts, Output: logs,
		BeaconKeyspace: benchBeaconKS, TrackingKeyspace: benchTrackingKS,
	})
	if err != nil {
		return err
	}
	defer func() {
		if err := s.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
		}
	}()

	step("1/4 ingest throughput (%d in flight, %s per run)", o.concurrency, o.ingestFor)
	if res.Ingest, err = ingestSection(ctx, o, hosts, cassandraPID, s); err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	step("2/4 aggregator fan-out latency (%g req/s, %s per run)", o.latencyRate, o.latencyFor)
	if res.Fanout, err = fanoutSection(ctx, o, s); err != nil {
		return fmt.Errorf("fan-out: %w", err)
	}
	step("2b/4 what authentication and TLS cost (open and secure stacks side by side)")
	if o.noSecurity {
		step("  skipped (-no-security)")
	} else if res.Security, err = securitySection(ctx, o, work, logs); err != nil {
		return fmt.Errorf("security: %w", err)
	}
	step("2c/4 what tracing costs (off, 10%% and 100%% sampling side by side)")
	if o.noTracing {
		step("  skipped (-no-tracing)")
	} else if res.Tracing, err = tracingSection(ctx, o, work, logs); err != nil {
		return fmt.Errorf("tracing: %w", err)
	}
	step("3/4 container start-to-ready")
	if o.noContainers {
		res.Containers = &ContainerSection{Skipped: "-no-containers"}
	} else {
		res.Containers = containerSection(ctx, o, hosts, s)
	}
	step("4/4 Bazel timings from docs/benchmarks/bazel.json")
	res.Bazel = readBazel(filepath.Join(o.out, "docs", "benchmarks", "bazel.json"))

	res.Goals = evaluateGoals(res)
	res.DurationSeconds = time.Since(began).Seconds()
	md, err := renderMarkdown(res, readAnalysis(filepath.Join(o.out, "docs", "benchmarks", "ANALYSIS.md")))
	if err != nil {
		return err
	}
	fmt.Println()
	fmt.Println(md)
	if o.quick {
		fmt.Fprintln(os.Stderr, "bench: -quick: results not written")
		return nil
	}
	data, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(o.out, "docs", "benchmarks"), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(o.out, "docs", "benchmarks", "results.json"), append(data, '\n'), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(o.out, "docs", "BENCHMARKS.md"), []byte(md), 0o644); err != nil {
		return err
	}
	step("wrote %s and %s (%.0f s)", filepath.Join(o.out, "docs", "BENCHMARKS.md"), filepath.Join(o.out, "docs", "benchmarks", "results.json"), res.DurationSeconds)
	return nil
}

const (
	benchBeaconKS   = "bench_beacon"
	benchTrackingKS = "bench_tracking"
)

func step(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

// startOnly is the start of a run of one section (-only-fanout,
// -only-tracing): a context that SIGINT and SIGTERM cancel, the work
// directory, the services' binaries built when missing, and the services'
// log file there (logName). done cancels the context and closes the log.
func startOnly(o *options, logName string) (ctx context.Context, work string, logs *os.File, done func(), err error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	if work, err = workDir(); err == nil {
		err = procstack.BuildMissing(ctx, &o.bin, filepath.Join(work, "bin"), os.Stderr)
	}
	if err == nil {
		logs, err = os.Create(filepath.Join(work, logName))
	}
	if err != nil {
		stop()
		return nil, "", nil, nil, err
	}
	return ctx, work, logs, func() { logs.Close(); stop() }, nil
}

func workDir() (string, error) {
	cache, err := launcher.CacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(filepath.Dir(filepath.Dir(cache)), "bench")
	return dir, os.MkdirAll(dir, 0o755)
}

// rerender rewrites docs/BENCHMARKS.md from the recorded results, e.g. after
// docs/benchmarks/ANALYSIS.md was edited or tools/bench-bazel wrote new Bazel timings.
func rerender(out string) error {
	data, err := os.ReadFile(filepath.Join(out, "docs", "benchmarks", "results.json"))
	if err != nil {
		return err
	}
	var res Results
	if err := json.Unmarshal(data, &res); err != nil {
		return err
	}
	res.Bazel = readBazel(filepath.Join(out, "docs", "benchmarks", "bazel.json"))
	res.Goals = evaluateGoals(&res)
	md, err := renderMarkdown(&res, readAnalysis(filepath.Join(out, "docs", "benchmarks", "ANALYSIS.md")))
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "docs", "BENCHMARKS.md"), []byte(md), 0o644)
}

// benchCassandra is CASSANDRA_HOSTS when set, else a one-node Cassandra
// started on o.cqlPort; desc says which (Results.Cassandra), stop stops
// what was started.
func benchCassandra(ctx context.Context, o options, work string) (hosts, desc string, pid int, stop func(), err error) {
	if hosts := os.Getenv("CASSANDRA_HOSTS"); hosts != "" {
		return hosts, "CASSANDRA_HOSTS=" + hosts + " (already running)", 0, func() {}, nil
	}
	step("starting Cassandra %s on 127.0.0.1:%d", launcher.Version, o.cqlPort)
	cache, err := launcher.CacheDir()
	if err != nil {
		return "", "", 0, nil, err
	}
	if _, err := launcher.Fetch(ctx, cache); err != nil {
		return "", "", 0, nil, err
	}
	dir := filepath.Join(work, "cassandra")
	c, err := launcher.Start(ctx, launcher.Options{Nodes: 1, Dir: dir, CQLPort: o.cqlPort,
		StoragePort: o.cqlPort - 42, JMXPort: o.cqlPort + 157, Log: os.Stderr})
	if err != nil {
		return "", "", 0, nil, err
	}
	stop = func() {
		step("stopping Cassandra")
		if err := launcher.Stop(dir, time.Minute, os.Stderr); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
		}
	}
	return c.Hosts(), "started by the benchmark (libs/cassandra/launcher, 1 node, heap 512M)", c.Nodes[0].PID, stop, nil
}
