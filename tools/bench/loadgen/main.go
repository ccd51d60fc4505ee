// Command loadgen sends a bounded, open-loop load to a find-peers service on
// loopback and reports throughput, latency percentiles and errors by status
// (see package loadgen for how latency avoids coordinated omission).
//
//	FIND_PEERS_API_KEY=<write key> go run ./tools/bench/loadgen -target http://127.0.0.1:9000 -workload ingest -batch 100 -rate 50 -duration 10s
//	go run ./tools/bench/loadgen -target http://127.0.0.1:8082 -workload hour -rate 200 -duration 10s -json out.json
//	go run ./tools/bench/loadgen -target http://127.0.0.1:8083 -workload location -location ID -rate 100
//
// Workloads: ingest (POST /tracking/sightings, -batch N), hour (GET
// /tracking/beacons/{beacon}/{epoch}), location (GET
// /aggregator/locations/{location}/{epoch}), beacons (GET
// /beacons/locations/{location}). -rate 0 runs closed loop (capacity).
// Only 127.0.0.0/8, ::1 and localhost are accepted as targets.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/find-peers/find-peers/libs/loadgen"
)

// The seed data's Bed Room location, its beacon and the hour of its sightings.
const (
	seedLocation = "ce519f95-923c-4532-879e-cd19afa8dda8"
	seedBeacon   = "5bf966d9-8046-4fc1-ae5a-80c923ebea5a"
	seedEpoch    = 1473156000
)

type list []string

func (l *list) String() string { return strings.Join(*l, ",") }
func (l *list) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	target := fs.String("target", "http://127.0.0.1:9000", "base URL (loopback only): the gateway or a service")
	workload := fs.String("workload", "hour", "ingest | hour | location | beacons")
	rate := fs.Float64("rate", 100, "arrivals per second (open loop); 0 = closed loop at -concurrency")
	duration := fs.Duration("duration", 10*time.Second, "length of the schedule (at most 1h)")
	maxOps := fs.Int("max-requests", 0, "stop after this many requests (0: rate x duration)")
	conc := fs.Int("concurrency", 64, "requests in flight at most (workers)")
	timeout := fs.Duration("timeout", 10*time.Second, "per-request timeout")
	batch := fs.Int("batch", 1, "ingest: sightings per request (1 = one object, >1 = array)")
	epoch := fs.Int64("epoch", seedEpoch, "hour / location / ingest: epoch seconds of the hour (ingest: 0 = now)")
	warmup := fs.Int("warmup", 0, "requests sent (closed loop, not measured) before the run")
	jsonOut := fs.String("json", "", "write the result as JSON to this file (- for stdout)")
	var beacons, locations list
	fs.Var(&beacons, "beacon", "beacon id (repeat or comma-separate; default: the seed's Bed Room beacon)")
	fs.Var(&locations, "location", "location id (repeat or comma-separate; default: the seed's Bed Room)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := loadgen.CheckLoopback(*target); err != nil {
		return err
	}
	if len(beacons) == 0 {
		beacons = list{seedBeacon}
	}
	if len(locations) == 0 {
		locations = list{seedLocation}
	}
	at := time.Unix(*epoch, 0).UTC()
	var gen func(int) loadgen.Request
	switch *workload {
	case "ingest":
		// A write through the gateway needs its API key; from the
		// environment, not a flag, so it is not in the process list.
		w := loadgen.SightingWorkload{Base: *target, Beacons: beacons, Batch: *batch, Seed: uint64(time.Now().UnixNano()), Token: os.Getenv("FIND_PEERS_API_KEY")}
		if *epoch != 0 && *epoch != seedEpoch {
			w.At = at
		}
		gen = w.Request
	case "hour":
		gen = loadgen.HourQueries(*target, beacons, at)
	case "location":
		gen = loadgen.LocationQueries(*target, locations, at)
	case "beacons":
		gen = loadgen.BeaconsAt(*target, locations)
	default:
		return fmt.Errorf("unknown workload %q", *workload)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	client := loadgen.NewClient(*conc, *timeout)
	res, err := loadgen.Run(ctx, loadgen.Config{
		Rate: *rate, Duration: *duration, MaxOps: *maxOps, Concurrency: *conc, Timeout: *timeout, Warmup: *warmup,
	}, loadgen.HTTPOp(client, gen))
	if err != nil {
		return err
	}
	res.Name = *workload
	if *workload == "ingest" {
		res.Name = fmt.Sprintf("ingest(batch=%d)", *batch)
	}
	if *jsonOut != "-" {
		if err := loadgen.WriteTable(os.Stdout, []*loadgen.Result{res}); err != nil {
			return err
		}
	}
	if *jsonOut != "" {
		data, err := json.MarshalIndent(res, "", "  ")
		if err != nil {
			return err
		}
		data = append(data, '\n')
		if *jsonOut == "-" {
			_, err = os.Stdout.Write(data)
		} else {
			err = os.WriteFile(*jsonOut, data, 0o644)
		}
		if err != nil {
			return err
		}
	}
	if res.OK == 0 {
		return fmt.Errorf("no request succeeded (%s)", loadgen.StatusString(res.Statuses))
	}
	return nil
}
