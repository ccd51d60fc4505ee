package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"

	"github.com/find-peers/find-peers/tools/loadgen/loadgen"
)

// Results is bench/results.json.
type Results struct {
	Date            string            `json:"date"`
	Command         string            `json:"command"`
	Machine         Machine           `json:"machine"`
	Cassandra       string            `json:"cassandra"`
	Quick           bool              `json:"quick,omitempty"`
	DurationSeconds float64           `json:"benchmarkSeconds"`
	Goals           []Goal            `json:"goals"`
	Ingest          *IngestSection    `json:"ingest"`
	Fanout          *FanoutSection    `json:"fanout"`
	Images          []ImageFact       `json:"images"`
	Containers      *ContainerSection `json:"containers"`
	Bazel           *BazelSection     `json:"bazel"`
}

type Machine struct {
	CPU    string `json:"cpu"`
	Cores  int    `json:"cores"`
	Memory string `json:"memory"`
	Kernel string `json:"kernel"`
	OS     string `json:"os"`
	Go     string `json:"go"`
	Podman string `json:"podman,omitempty"`
	Java   string `json:"java,omitempty"`
}

func describeMachine() Machine {
	m := Machine{Cores: runtime.NumCPU(), Go: runtime.Version()}
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		fmt.Sscanf(strings.SplitN(string(data), "\n", 2)[0], "MemTotal: %d kB", &kb)
		m.Memory = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
	}
	if out, err := exec.Command("uname", "-r").Output(); err == nil {
		m.Kernel = strings.TrimSpace(string(out))
	}
	if data, err := os.ReadFile("/etc/os-release"); err == nil {
		for _, l := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(l, "PRETTY_NAME="); ok {
				m.OS = strings.Trim(v, `"`)
			}
		}
	}
	if out, err := exec.Command("podman", "--version").Output(); err == nil {
		m.Podman = strings.TrimSpace(string(out))
	}
	if out, err := exec.Command("java", "-version").CombinedOutput(); err == nil {
		m.Java = strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[0])
	}
	return m
}

// BazelSection is bench/bazel.json, written by tools/bench-bazel.
type BazelSection struct {
	Date    string      `json:"date"`
	Target  string      `json:"target"`
	Noop    BazelTiming `json:"noop"`
	Touch   BazelTiming `json:"touchLib"`
	Missing string      `json:"missing,omitempty"`
}

type BazelTiming struct {
	File         string    `json:"file,omitempty"`
	Wall         []float64 `json:"wallSeconds"`
	BazelElapsed []float64 `json:"bazelElapsedSeconds"`
	MedianWall   float64   `json:"medianWallSeconds"`
	MedianBazel  float64   `json:"medianBazelElapsedSeconds"`
}

func readBazel(path string) *BazelSection {
	data, err := os.ReadFile(path)
	if err != nil {
		return &BazelSection{Missing: "no " + path + ": run tools/bench-bazel (outside Bazel) first"}
	}
	var b BazelSection
	if err := json.Unmarshal(data, &b); err != nil {
		return &BazelSection{Missing: fmt.Sprintf("%s: %v", path, err)}
	}
	return &b
}

func readAnalysis(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return string(data)
}

// Goal is one target of issue 8 and where the run stands against it.
type Goal struct {
	Goal   string `json:"goal"`
	Result string `json:"result"`
	Status string `json:"status"` // met | missed | not measured
}

func status(ok bool) string {
	if ok {
		return "met"
	}
	return "missed"
}

func evaluateGoals(r *Results) []Goal {
	var g []Goal
	if in := r.Ingest; in != nil {
		// Judged against the fastest raw path (tracking's batching done
		// directly with gocql); single-row inserts are slower than HTTP batches.
		g = append(g, Goal{"HTTP batch ingest >= 80% of raw gocql inserts (rows/s), raw = gocql with tracking's batching",
			fmt.Sprintf("tracking %.0f%%, gateway %.0f%% (vs single-row inserts: %.0f%%, %.0f%%)",
				100*in.TrackingVsRawBatched, 100*in.GatewayVsRawBatched, 100*in.TrackingVsRaw, 100*in.GatewayVsRaw),
			status(in.TrackingVsRawBatched >= 0.8 && in.GatewayVsRawBatched >= 0.8)})
	} else {
		g = append(g, Goal{"HTTP batch ingest >= 80% of raw gocql inserts", "-", "not measured"})
	}
	if f := r.Fanout; f != nil {
		worst, parts := -1e9, []string{}
		for _, s := range f.Sizes {
			worst = max(worst, s.OverheadP50)
			parts = append(parts, fmt.Sprintf("%d beacons %+.1f ms", s.Beacons, s.OverheadP50))
		}
		g = append(g, Goal{"aggregator p50 <= beacon p50 + slowest tracking p50 + 2 ms", strings.Join(parts, ", "), status(worst <= 2)})
	} else {
		g = append(g, Goal{"aggregator <= beacon + slowest tracking + 2 ms", "-", "not measured"})
	}
	if len(r.Images) > 0 {
		worst, parts := 0.0, []string{}
		for _, im := range r.Images {
			if im.Platform == "linux/amd64" {
				parts = append(parts, fmt.Sprintf("%s %.2fx", im.Service, im.Ratio))
			}
			worst = max(worst, im.Ratio)
		}
		g = append(g, Goal{"compressed image <= 1.2x stripped binary", strings.Join(parts, ", ") + fmt.Sprintf(" (worst of all platforms %.2fx)", worst), status(worst <= 1.2)})
	} else {
		g = append(g, Goal{"compressed image <= 1.2x stripped binary", "-", "not measured"})
	}
	if c := r.Containers; c != nil && c.Skipped == "" && len(c.Images) > 0 {
		worst, parts, ok := 0.0, []string{}, true
		for _, im := range c.Images {
			if im.Error != "" {
				ok = false
				parts = append(parts, im.Service+" failed")
				continue
			}
			worst = max(worst, im.MedianMs)
			parts = append(parts, fmt.Sprintf("%s %.0f ms", im.Service, im.MedianMs))
		}
		g = append(g, Goal{"container start to ready <= 100 ms (median)", strings.Join(parts, ", "), status(ok && worst <= 100)})
	} else {
		why := "-"
		if c != nil {
			why = c.Skipped
		}
		g = append(g, Goal{"container start to ready <= 100 ms", why, "not measured"})
	}
	if b := r.Bazel; b != nil && b.Missing == "" {
		g = append(g, Goal{"Bazel no-op build <= 2 s", fmt.Sprintf("%.2f s wall (Bazel's own: %.2f s)", b.Noop.MedianWall, b.Noop.MedianBazel), status(b.Noop.MedianWall <= 2)})
		g = append(g, Goal{"touched lib .go file -> rebuilt images <= 15 s", fmt.Sprintf("%.1f s wall (Bazel's own: %.1f s)", b.Touch.MedianWall, b.Touch.MedianBazel), status(b.Touch.MedianWall <= 15)})
	} else {
		g = append(g, Goal{"Bazel no-op <= 2 s; touched lib -> image <= 15 s", "run tools/bench-bazel", "not measured"})
	}
	return g
}

func renderMarkdown(r *Results, analysis string) string {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	p("# find-peers benchmarks\n\n")
	p("Generated by `tools/bench` (issue 8); raw numbers in [bench/results.json](bench/results.json). Do not edit the tables by hand: rerun.\n\n")
	p("- **Date:** %s (benchmark took %.0f s)\n", r.Date, r.DurationSeconds)
	m := r.Machine
	p("- **Machine:** %s, %d cores, %s RAM, %s, kernel %s; %s; %s; %s\n", m.CPU, m.Cores, m.Memory, m.OS, m.Kernel, m.Go, m.Podman, m.Java)
	p("- **Cassandra:** %s. Everything (Cassandra, the four services, the load generator) shares the same %d cores.\n", r.Cassandra, m.Cores)
	p("- **Reproduce:** `tools/bench-bazel` (Bazel timings, writes bench/bazel.json; must run outside Bazel), then `tools/bazel run //tools/bench` (writes this file and bench/results.json). `tools/bazel run //tools/bench -- -quick` is a smoke test that writes nothing.\n\n")

	p("## Goals\n\n| goal | this run | status |\n|---|---|---|\n")
	for _, g := range r.Goals {
		p("| %s | %s | **%s** |\n", g.Goal, g.Result, g.Status)
	}

	p("\n## Ratios\n\n| comparison | ratio |\n|---|---|\n")
	if in := r.Ingest; in != nil {
		p("| HTTP batch ingest via tracking / raw gocql single-row inserts (rows/s) | %.2f |\n", in.TrackingVsRaw)
		p("| HTTP batch ingest via gateway / raw gocql single-row inserts (rows/s) | %.2f |\n", in.GatewayVsRaw)
		p("| HTTP batch ingest via tracking / raw gocql with tracking's own batching (rows/s) | %.2f |\n", in.TrackingVsRawBatched)
		p("| HTTP batch ingest via gateway / raw gocql with tracking's own batching (rows/s) | %.2f |\n", in.GatewayVsRawBatched)
	}
	if f := r.Fanout; f != nil {
		for _, s := range f.Sizes {
			p("| aggregator p50 / (beacon p50 + slowest of %d parallel tracking p50), %d beacon(s) | %.2f (%+.1f ms) |\n", s.Beacons, s.Beacons, s.Aggregator.Latency.P50/s.BudgetP50, s.OverheadP50)
		}
	}
	for _, im := range r.Images {
		if im.Platform == "linux/amd64" {
			p("| %s image compressed / stripped binary (linux/amd64) | %.2f |\n", im.Service, im.Ratio)
		}
	}
	if c := r.Containers; c != nil && c.Skipped == "" {
		for _, im := range c.Images {
			if im.ProcessMs > 0 {
				p("| %s container start-to-ready / bare process start-to-ready | %.1f |\n", im.Service, im.MedianMs/im.ProcessMs)
			}
		}
	}

	if in := r.Ingest; in != nil {
		p("\n## 1. Ingest throughput (closed loop, %d in flight, batches of %d sightings over %d beacons)\n\n", in.Concurrency, in.Batch, in.Beacons)
		p("Each run keeps %d operations in flight for its duration; an operation is one CQL statement/batch or one HTTP POST. Latency here is service time per operation.", in.Concurrency)
		if in.Rounds > 1 {
			p(" The three batched modes run in %d interleaved rounds; the ratios compare their medians (rows/s).", in.Rounds)
		}
		p("\n\n")
		p("```\n")
		var tb strings.Builder
		_ = loadgen.WriteTable(&tb, in.Runs)
		p("%s```\n", tb.String())
	}
	if f := r.Fanout; f != nil {
		p("\n## 2. Aggregator fan-out latency (open loop, %g req/s, %.0f s per run, latency from the scheduled send time)\n\n", f.Rate, f.Duration)
		p("| beacons | beacon p50 / p99 ms | slowest tracking p50 / p99 ms | one tracking call p50 ms | aggregator p50 / p99 ms | budget p50 (beacon+slowest) | aggregator - budget p50 / p99 | sequential estimate p50 |\n|---|---|---|---|---|---|---|---|\n")
		for _, s := range f.Sizes {
			p("| %d | %.2f / %.2f | %.2f / %.2f | %.2f | %.2f / %.2f | %.2f | %+.2f / %+.2f | %.2f |\n", s.Beacons,
				s.Beacon.Latency.P50, s.Beacon.Latency.P99, s.SlowestTrack.Latency.P50, s.SlowestTrack.Latency.P99,
				s.OneTrack.P50, s.Aggregator.Latency.P50, s.Aggregator.Latency.P99, s.BudgetP50, s.OverheadP50, s.OverheadP99, s.SequentialP50)
		}
		p("\nThe slowest-tracking column issues the N tracking calls of one aggregator request in parallel from the benchmark and records when the last one answers. \"Sequential estimate\" is beacon p50 + N x one tracking call p50: what a one-at-a-time fan-out would cost.\n")
	}
	if len(r.Images) > 0 {
		p("\n## 3. Images\n\n| service | platform | compressed image | stripped binary | ratio | host binary (//services/<svc> go_binary as built, for context) |\n|---|---|---|---|---|---|\n")
		for _, im := range r.Images {
			p("| %s | %s | %s | %s | %.2f | %s |\n", im.Service, im.Platform, mib(im.CompressedSize), mib(im.BinarySize), im.Ratio, mib(im.HostBinarySize))
		}
	}
	if c := r.Containers; c != nil {
		p("\n## 4. Container start to ready\n\n")
		if c.Skipped != "" {
			p("Not measured: %s.\n", c.Skipped)
		} else {
			p("`podman run -d --rm --network %s`, then GET /readyz every 2 ms until 200; %d runs per image. beacon and tracking connect to the benchmark's Cassandra before they listen. `podman run --rm <gateway image> --help` (create, start, exit, remove; no service at all) takes **%.0f ms** here.\n\n", c.Network, c.Runs, c.PodmanFloorMs)
			p("| service | median ms | min ms | runs ms | `podman run -d` returned after (median ms) | same binary without a container (median ms) |\n|---|---|---|---|---|---|\n")
			for _, im := range c.Images {
				if im.Error != "" {
					p("| %s | failed: %s | | | | |\n", im.Service, im.Error)
					continue
				}
				runs := make([]string, len(im.ReadyMs))
				for i, v := range im.ReadyMs {
					runs[i] = fmt.Sprintf("%.0f", v)
				}
				p("| %s | %.0f | %.0f | %s | %.0f | %.0f |\n", im.Service, im.MedianMs, im.MinMs, strings.Join(runs, ", "), im.PodmanMs, im.ProcessMs)
			}
			if ph := c.Phases; ph != nil {
				p("\nWhere the time goes: the gateway image with `--help` (the process exits at once), median of %d runs each. `runc run` is the OCI runtime alone on the bundle podman prepared (same config.json and rootfs, no podman, no conmon).\n\n", phaseRuns)
				if ph.Error != "" {
					p("Incomplete: %s.\n\n", ph.Error)
				}
				p("| podman create | podman init (conmon + runc create) | podman start -a (runc start, process runs, exits) | podman rm | runc run alone | binary --help without a container |\n|---|---|---|---|---|---|\n")
				p("| %.0f ms | %.0f ms | %.0f ms | %.0f ms | %.0f ms | %.0f ms |\n", ph.CreateMs, ph.InitMs, ph.StartMs, ph.RemoveMs, ph.RuncRunMs, ph.BinaryMs)
			}
		}
	}
	if bz := r.Bazel; bz != nil {
		p("\n## 5. Bazel\n\n")
		if bz.Missing != "" {
			p("Not measured: %s.\n", bz.Missing)
		} else {
			p("From `tools/bench-bazel` (%s), target `%s`. Wall time includes the `tools/bazel` wrapper (private mount namespace + chroot); \"Bazel's own\" is Bazel's `Elapsed time` line.\n\n", bz.Date, bz.Target)
			p("| measurement | median wall s | median Bazel's own s | runs (wall s) |\n|---|---|---|---|\n")
			p("| no-op rebuild | %.2f | %.2f | %s |\n", bz.Noop.MedianWall, bz.Noop.MedianBazel, floats(bz.Noop.Wall))
			p("| edit one .go file in a lib (`%s`) -> rebuilt images | %.2f | %.2f | %s |\n", bz.Touch.File, bz.Touch.MedianWall, bz.Touch.MedianBazel, floats(bz.Touch.Wall))
		}
	}
	p("\n## Go micro-benchmarks\n\n`go test -run '^$' -bench . -benchmem ./libs/api ./libs/sse ./services/aggregator ./services/tracking` (see bench/ANALYSIS.md for recorded numbers).\n")
	if analysis != "" {
		p("\n---\n\n%s", analysis)
	}
	return b.String()
}

func floats(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprintf("%.2f", x)
	}
	return strings.Join(s, ", ")
}

func mib(n int64) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f MiB", float64(n)/(1<<20))
}
