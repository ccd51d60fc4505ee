// Command demo runs the whole find-peers system on this machine: a real
// Cassandra (started with tools/cassandra's launcher unless CASSANDRA_HOSTS
// names one), the schema and seed data, and the four services as processes
// on loopback. It checks the seed answers through the gateway, prints where to
// look, and runs until Ctrl-C, then stops everything it started.
//
//	tools/bazel run //tools/demo          (the README's "run the system")
//	go run ./tools/demo                   (builds the services with `go build`)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/find-peers/find-peers/libs/cassandra/launcher"
	"github.com/find-peers/find-peers/libs/procstack"
)

// The seed's Bed Room location and the hour its sightings were logged in.
const (
	bedRoomLocation = "ce519f95-923c-4532-879e-cd19afa8dda8"
	bedRoomBeacon   = "5bf966d9-8046-4fc1-ae5a-80c923ebea5a"
	seedTime        = "1473156000"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run() error {
	var bin procstack.Binaries
	bin.RegisterFlags(flag.CommandLine)
	gatewayPort := flag.Int("gateway-port", 9000, "gateway port on 127.0.0.1")
	cqlPort := flag.Int("cql-port", 9042, "CQL port of the Cassandra the demo starts")
	keepCassandra := flag.Bool("keep-cassandra", false, "leave the Cassandra the demo started running on exit")
	logFile := flag.String("log", "", "file for the services' logs (default: <cache>/demo/services.log)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	began := time.Now()

	cache, err := launcher.CacheDir()
	if err != nil {
		return err
	}
	// cache is .../find-peers/cassandra/<version>; the demo keeps its state beside.
	work := filepath.Join(filepath.Dir(filepath.Dir(cache)), "demo")
	if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	if err := procstack.BuildMissing(ctx, &bin, filepath.Join(work, "bin"), os.Stderr); err != nil {
		return err
	}

	hosts := os.Getenv("CASSANDRA_HOSTS")
	if hosts == "" {
		step("Cassandra %s (first run fetches it from Maven Central)", launcher.Version)
		if _, err := launcher.Fetch(ctx, cache); err != nil {
			return err
		}
		dir := filepath.Join(work, "cassandra")
		cluster, err := launcher.Start(ctx, launcher.Options{Nodes: 1, Dir: dir, CQLPort: *cqlPort, Log: os.Stderr})
		if err != nil {
			return err
		}
		hosts = cluster.Hosts()
		if !*keepCassandra {
			defer func() {
				step("stopping Cassandra")
				if err := launcher.Stop(dir, time.Minute, os.Stderr); err != nil {
					fmt.Fprintln(os.Stderr, "demo:", err)
				}
			}()
		}
	}

	if *logFile == "" {
		*logFile = filepath.Join(work, "services.log")
	}
	logs, err := os.Create(*logFile)
	if err != nil {
		return err
	}
	defer logs.Close()

	step("migrating, seeding and starting beacon, tracking, aggregator, gateway (logs: %s)", *logFile)
	s, err := procstack.Start(ctx, procstack.Config{
		Bin: bin, CassandraHosts: hosts, Seed: true, Output: logs,
		BeaconPort: 8081, TrackingPort: 8082, AggregatorPort: 8083, GatewayPort: *gatewayPort,
	})
	if err != nil {
		return err
	}
	defer func() {
		step("stopping the services")
		if err := s.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "demo:", err)
		}
	}()

	gw := s.GatewayURL()
	examples := []string{
		"/aggregator/locations/" + bedRoomLocation + "/" + seedTime,
		"/beacons/locations/" + bedRoomLocation,
		"/tracking/beacons/" + bedRoomBeacon + "/" + seedTime,
	}
	fmt.Printf("\nfind-peers is up in %s.\n\n  gateway:  %s\n  web page: %s/\n  logs:     %s\n\nExamples (answered just now):\n",
		time.Since(began).Round(100*time.Millisecond), gw, gw, *logFile)
	for _, path := range examples {
		body, err := get(ctx, gw+path)
		if err != nil {
			return fmt.Errorf("example %s: %w", path, err)
		}
		fmt.Printf("\n  curl -s %s%s\n  %s\n", gw, path, body)
	}
	// Writes need an API key: this demo's throw-away write key (procstack
	// made it for this run; it is gone with the demo) is shown so the
	// command can be pasted.
	fmt.Printf("\nLive: curl -N %s/aggregator/locations/%s/live\nthen, in another terminal (with this demo's write key):\n  curl -s -XPOST -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' %s/tracking/sightings \\\n    -d '{\"beaconId\":\"%s\",\"userId\":\"%s\",\"name\":\"You\"}'\n\nCtrl-C stops everything.\n",
		gw, bedRoomLocation, s.WriteToken(), gw, bedRoomBeacon, "0f8fad5b-d9cb-469f-a165-70867728950e")
	<-ctx.Done()
	fmt.Println()
	return nil
}

func get(ctx context.Context, url string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", errors.New(resp.Status + ": " + string(body))
	}
	return strings.TrimSpace(string(body)), nil
}

func step(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "== "+format+"\n", args...)
}
