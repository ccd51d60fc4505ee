package main

import (
	"strings"
	"testing"
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
