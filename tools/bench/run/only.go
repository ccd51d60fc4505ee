package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/find-peers/find-peers/libs/procstack"
)

// runOnly measures one section alone ("fanout", "ingest" or "containers"), for
// iterating on the services: it prints the section's tables and goal and
// saves the section's JSON in the benchmark's work directory, but writes
// nothing into docs/ (a full run does that).
func runOnly(o options, section string) error {
	ctx, work, logs, done, err := startOnly(&o, "services-"+section+".log")
	if err != nil {
		return err
	}
	defer done()
	hosts, desc, cassandraPID, stopCassandra, err := benchCassandra(ctx, o, work)
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
	began := time.Now()
	res := &Results{Date: began.UTC().Format(time.RFC3339), Machine: describeMachine(), Cassandra: desc, Quick: o.quick,
		Command: "tools/bazel run //tools/bench/run -- -only-" + section}
	var out any
	switch section {
	case "fanout":
		step("2 aggregator fan-out latency (%g req/s, %s per run)", o.latencyRate, o.latencyFor)
		res.Fanout, err = fanoutSection(ctx, o, s)
		out = res.Fanout
	case "ingest":
		step("1 ingest throughput (%d in flight, %s per run)", o.concurrency, o.ingestFor)
		res.Ingest, err = ingestSection(ctx, o, hosts, cassandraPID, s)
		out = res.Ingest
	case "containers":
		step("container start-to-ready")
		res.Containers = containerSection(ctx, o, hosts, s)
		out = res.Containers
	default:
		return fmt.Errorf("no section %q to run alone", section)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", section, err)
	}
	res.DurationSeconds = time.Since(began).Seconds()
	for _, g := range evaluateGoals(res) {
		if g.Status != "not measured" {
			res.Goals = append(res.Goals, g)
		}
	}
	md, err := renderMarkdown(res, "")
	if err != nil {
		return err
	}
	fmt.Println(md)
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	path := filepath.Join(work, section+"-"+began.UTC().Format("20060102T150405Z")+".json")
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return err
	}
	step("%s section's JSON: %s", section, path)
	return nil
}
