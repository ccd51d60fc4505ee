package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
)

// Results is docs/benchmarks/results.json.
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
	Security        *SecuritySection  `json:"security,omitempty"`
	Tracing         *TracingSection   `json:"tracing,omitempty"`
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

// BazelSection is docs/benchmarks/bazel.json, written by tools/bench-bazel.
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

// Goal is one of the benchmark goals and where the run stands against it.
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
		g = append(g, Goal{"HTTP batch ingest >= 90% of raw gocql inserts (rows/s), raw = gocql with tracking's batching",
			fmt.Sprintf("tracking %.0f%%, gateway %.0f%% (vs single-row inserts: %.0f%%, %.0f%%)",
				100*in.TrackingVsRawBatched, 100*in.GatewayVsRawBatched, 100*in.TrackingVsRaw, 100*in.GatewayVsRaw),
			status(in.TrackingVsRawBatched >= 0.9 && in.GatewayVsRawBatched >= 0.9)})
	} else {
		g = append(g, Goal{"HTTP batch ingest >= 90% of raw gocql inserts", "-", "not measured"})
	}
	g = append(g, fanoutGoal(r.Fanout))
	if t := r.Tracing; t != nil {
		g = append(g, Goal{"tracing at 10% sampling costs <= 5% of gateway ingest throughput",
			fmt.Sprintf("10%%: %.0f%% of off (100%%: %.0f%%); aggregator p50 x%.2f at 10%%", 100*t.Ingest10, 100*t.Ingest100, t.FanoutP50At10),
			status(t.Ingest10 >= 0.95)})
	} else {
		g = append(g, Goal{"tracing at 10% sampling costs <= 5% of gateway ingest throughput", "-", "not measured"})
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
	const containerGoal = "container start to ready <= podman floor + 20 ms (median)"
	if c := r.Containers; c != nil && c.Skipped == "" && len(c.Images) > 0 && c.Floor != nil && c.Floor.Error == "" {
		worst, parts, ok := 0.0, []string{}, true
		for _, im := range c.Images {
			if im.Error != "" {
				ok = false
				parts = append(parts, im.Service+" failed")
				continue
			}
			worst = max(worst, im.OverFloorMedianMs)
			parts = append(parts, fmt.Sprintf("%s +%.0f ms", im.Service, im.OverFloorMedianMs))
		}
		g = append(g, Goal{containerGoal, fmt.Sprintf("floor %.0f ms; ", c.Floor.MedianMs) + strings.Join(parts, ", "), status(ok && worst <= 20)})
	} else {
		why := "-"
		switch {
		case c == nil:
		case c.Skipped != "":
			why = c.Skipped
		case c.Floor == nil:
			why = "no floor measured"
		case c.Floor.Error != "":
			why = "floor: " + c.Floor.Error
		}
		g = append(g, Goal{containerGoal, why, "not measured"})
	}
	if b := r.Bazel; b != nil && b.Missing == "" {
		g = append(g, Goal{"Bazel no-op build <= 2 s", fmt.Sprintf("%.2f s wall (Bazel's own: %.2f s)", b.Noop.MedianWall, b.Noop.MedianBazel), status(b.Noop.MedianWall <= 2)})
		g = append(g, Goal{"touched lib .go file -> rebuilt images <= 15 s", fmt.Sprintf("%.1f s wall (Bazel's own: %.1f s)", b.Touch.MedianWall, b.Touch.MedianBazel), status(b.Touch.MedianWall <= 15)})
	} else {
		g = append(g, Goal{"Bazel no-op <= 2 s; touched lib -> image <= 15 s", "run tools/bench-bazel", "not measured"})
	}
	return g
}

func floats(v []float64) string { return joinFormatted(v, "%.2f") }

func mib(n int64) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f MiB", float64(n)/(1<<20))
}

// fanoutGoalText is the fan-out goal: batching the tracking calls makes a
// location's cost nearly flat in its beacons, and the largest measured
// location still answers within the services' request deadline
// (service.DefaultRequestTimeout, 8 s).
const fanoutGoalText = "aggregator p50 at 100 beacons <= 2x p50 at 1 beacon; 500 beacons within the 8 s deadline"

// fanoutGoal judges section 2: the p50 ratio of 100 beacons to 1, and the
// 500-beacon run answering every request (no 504) with its slowest within
// 8 s; the aggregator's peak memory is shown alongside.
func fanoutGoal(f *FanoutSection) Goal {
	if f == nil {
		return Goal{fanoutGoalText, "-", "not measured"}
	}
	one, hundred, big := f.size(1), f.size(100), f.size(500)
	if one == nil || hundred == nil || big == nil {
		return Goal{fanoutGoalText, "-", "not measured"}
	}
	ratio := hundred.Aggregator.Latency.P50 / one.Aggregator.Latency.P50
	within := big.Aggregator.Errors == 0 && big.Aggregator.Latency.Max <= 8000
	result := fmt.Sprintf("100 beacons p50 %.1f ms = %.2fx of 1 beacon (%.1f ms); 500 beacons p50 / p99 / max %.0f / %.0f / %.0f ms, %d errors",
		hundred.Aggregator.Latency.P50, ratio, one.Aggregator.Latency.P50,
		big.Aggregator.Latency.P50, big.Aggregator.Latency.P99, big.Aggregator.Latency.Max, big.Aggregator.Errors)
	if f.AggregatorPeakKiB > 0 {
		result += fmt.Sprintf("; aggregator peak RSS %.1f MiB", float64(f.AggregatorPeakKiB)/1024)
	}
	return Goal{fanoutGoalText, result, status(ratio <= 2 && within)}
}
