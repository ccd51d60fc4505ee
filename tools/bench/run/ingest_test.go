package main

import (
	"testing"
	"time"
)

func TestAddCPUPer1000(t *testing.T) {
	cpu := map[string]map[string][]float64{}
	before := map[string]time.Duration{"cassandra": 1 * time.Second, "tracking": 0}
	after := map[string]time.Duration{"cassandra": 3 * time.Second, "tracking": 500 * time.Millisecond, "gone-before": time.Second}
	addCPUPer1000(cpu, "tracking", before, after, 10000)
	if got := cpu["tracking"]["cassandra"]; len(got) != 1 || got[0] != 200 {
		t.Errorf("cassandra: %v ms per 1000 rows, want [200] (2 s over 10 000 rows)", got)
	}
	if got := cpu["tracking"]["tracking"]; len(got) != 1 || got[0] != 50 {
		t.Errorf("tracking: %v, want [50]", got)
	}
	if _, ok := cpu["tracking"]["gone-before"]; ok {
		t.Error("a process without a reading before the run was counted")
	}
	addCPUPer1000(cpu, "raw", before, after, 0)
	if _, ok := cpu["raw"]; ok {
		t.Error("a run that wrote no rows was recorded")
	}
}
