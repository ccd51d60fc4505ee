package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/find-peers/find-peers/libs/procstack"
)

// runOnlyFanout measures the fan-out section alone, for iterating on the
// aggregator and tracking: it prints the section's tables and goal and
// saves the section's JSON in the benchmark's work directory, but writes
// nothing into docs/ (a full run does that).
func runOnlyFanout(o options) error {
	ctx, work, logs, done, err := startOnly(&o, "services-fanout.log")
	if err != nil {
		return err
	}
	defer done()
	hosts, desc, stopCassandra, err := benchCassandra(ctx, o, work)
	if err != nil {
		return err
	}
	defer stopCassandra()
	s, err := procstack.Start(ctx, procstack.Config{Bin: o.bin, CassandraHosts: hosts, Output: logs,
		BeaconKeyspace: benchBeaconKS, TrackingKeyspace: benchTrackingKS})
	if err != nil {
		return err
	}
	defer func() {
		if err := s.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
		}
	}()
	step("2 aggregator fan-out latency (%g req/s, %s per run)", o.latencyRate, o.latencyFor)
	began := time.Now()
	res := &Results{Date: began.UTC().Format(time.RFC3339), Machine: describeMachine(), Cassandra: desc, Quick: o.quick,
		Command: "tools/bazel run //tools/bench/run -- -only-fanout"}
	if res.Fanout, err = fanoutSection(ctx, o, s); err != nil {
		return fmt.Errorf("fan-out: %w", err)
	}
	res.DurationSeconds = time.Since(began).Seconds()
	res.Goals = []Goal{fanoutGoal(res.Fanout)}
	md, err := renderMarkdown(res, "")
	if err != nil {
		return err
	}
	fmt.Println(md)
	data, err := json.MarshalIndent(res.Fanout, "", "  ")
	if err != nil {
		return err
	}
	path := filepath.Join(work, "fanout-"+began.UTC().Format("20060102T150405Z")+".json")
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return err
	}
	step("fan-out section's JSON: %s", path)
	return nil
}
