package main

import (
	"strings"
	"testing"

	"github.com/find-peers/find-peers/libs/loadgen"
)

func TestRenderContainersAgainstFloor(t *testing.T) {
	r := &Results{Containers: &ContainerSection{
		Network: "host", Runs: 2, PollMs: 1,
		Floor: &FloorStart{Image: "f", RanMs: []float64{210, 230}, MedianMs: 220, MinMs: 210, PodmanMs: 225, AttachedMs: 300, ProcessMs: 1.5},
		Images: []ContainerStart{
			{Service: "gateway", ReadyMs: []float64{225, 240}, MedianMs: 232.5, OverFloorMs: []float64{15, 10}, OverFloorMedianMs: 12.5},
			{Service: "beacon", ReadyMs: []float64{280, 300}, MedianMs: 290, OverFloorMs: []float64{70, 70}, OverFloorMedianMs: 70},
		},
		Phases: &PodmanPhases{CreateMs: 50, BinaryMs: 0.8},
	}}
	r.Goals = evaluateGoals(r)
	md, err := renderMarkdown(r, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| container start to ready <= podman floor + 20 ms (median) | floor 220 ms; gateway +12 ms, beacon +70 ms | **missed** |",
		"| gateway | floor + 12 | 15, 10 | 232 |",
		"**Podman floor: median 220 ms**",
		"| beacon container start-to-ready / podman floor (N = start-to-ready - floor, median over rounds) | 1.32 (floor + 70 ms) |",
		"asked every 1 ms",
		"| 50 ms |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("no %q in\n%s", want, md)
		}
	}
}

// Results written before the floor existed still render.
func TestRenderContainersWithoutFloor(t *testing.T) {
	r := &Results{Containers: &ContainerSection{Network: "host", Runs: 5,
		Images: []ContainerStart{{Service: "gateway", ReadyMs: []float64{200}, MedianMs: 200}}}}
	r.Goals = evaluateGoals(r)
	md, err := renderMarkdown(r, "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md, "| container start to ready <= podman floor + 20 ms (median) | no floor measured | **not measured** |") {
		t.Errorf("goal row missing in\n%s", md)
	}
}

// The fan-out section in rounds: the medians are the table's numbers, the
// rounds and each round's aggregator p50 are said below it, and the goal
// compares the medians.
func TestRenderFanoutRounds(t *testing.T) {
	size := func(n int, p50s ...float64) FanoutSize {
		res := func(p50 float64) *loadgen.Result {
			return &loadgen.Result{Latency: loadgen.Latency{P50: p50, P99: 2 * p50, Max: 3 * p50}}
		}
		var rounds []*loadgen.Result
		for _, p := range p50s {
			rounds = append(rounds, res(p))
		}
		s := FanoutSize{Beacons: n, RowsPerBeacon: 10, TrackingCalls: (n + 99) / 100,
			Beacon: res(1), Tracking: res(2), Aggregator: combine(rounds)}
		if len(p50s) > 1 {
			s.AggregatorP50s = p50s
		}
		s.BudgetP50 = 3
		s.CPUPerRequest = map[string]float64{"aggregator": float64(n) / 100, "tracking": float64(n) / 50, "beacon": 0.5}
		return s
	}
	r := &Results{Fanout: &FanoutSection{Rate: 25, Duration: 8, Rounds: 3, Summary: fanoutSummary,
		Sizes: []FanoutSize{size(1, 10, 30, 11), size(100, 19, 21, 40), size(500, 900)}}}
	r.Goals = evaluateGoals(r)
	md, err := renderMarkdown(r, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| 1 | 1.00 / 2.00 | 1 | 2.00 / 4.00 | 11.00 / 22.00 / 90.00 | 0 |",
		"| 100 | 1.00 / 2.00 | 1 | 2.00 / 4.00 | 21.00 / 42.00 / 120.00 | 0 |",
		"100 beacons p50 21.0 ms = 1.91x of 1 beacon (11.0 ms)",
		"run in 3 interleaved rounds",
		"Aggregator p50 per round: 1 beacon(s) 10.00, 30.00, 11.00 ms; 100 beacon(s) 19.00, 21.00, 40.00 ms.",
		"(ms, aggregator / tracking / beacon process, during the aggregator runs): 1 beacon(s) 0.01 / 0.02 / 0.50; 100 beacon(s) 1.00 / 2.00 / 0.50; 500 beacon(s) 5.00 / 10.00 / 0.50.",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("no %q in\n%s", want, md)
		}
	}
}
