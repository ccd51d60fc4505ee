// Command simulate makes the live page move: it registers a small building
// (five rooms, each a location with one or two beacons) through the gateway,
// then posts plausible sightings at a steady rate: people arrive through
// the lobby, stay, walk between rooms and leave. It is bounded in time and
// in count and stops by itself (or on Ctrl-C), printing what it did.
//
//	FIND_PEERS_API_KEY=<write key> go run ./tools/simulate [-gateway http://127.0.0.1:9000] [-rate 2] [-duration 10m] [-max 2000]
//	tools/stack-up --demo      (the compose stack, then this in the background)
//
// It only talks to a gateway on this machine's loopback.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/find-peers/find-peers/libs/loadgen"
)

func main() { os.Exit(run(os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr)) }

// apiKeyEnv holds the gateway write key (tools/apikey create --scope
// write) that every POST carries; an environment variable, not a flag, so
// the token is not in the process list.
const apiKeyEnv = "FIND_PEERS_API_KEY"

func run(args []string, lookup func(string) (string, bool), stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	gateway := fs.String("gateway", "http://127.0.0.1:9000", "the gateway (on loopback)")
	rate := fs.Float64("rate", 2, "sightings per second (0.1..100)")
	duration := fs.Duration("duration", 10*time.Minute, "how long to run (up to 24h)")
	maxCount := fs.Int("max", 2000, "stop after this many sightings (1..1000000)")
	crowd := fs.Int("people", 12, "how many people come and go (1..1000)")
	seed := fs.Uint64("seed", uint64(time.Now().UnixNano()), "random seed (the same seed, the same walk)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if err := validate(*gateway, *rate, *duration, *maxCount, *crowd); err != nil {
		fmt.Fprintln(stderr, "simulate:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *duration)
	defer cancel()
	token, _ := lookup(apiKeyEnv)
	if token == "" {
		fmt.Fprintf(stderr, "simulate: %s is empty: the gateway will refuse the writes (401)\n", apiKeyEnv)
	}
	s := sim{gateway: *gateway, token: token, client: loadgen.NewClient(4, 10*time.Second), out: stdout}
	b := building()
	if err := s.register(ctx, b); err != nil {
		fmt.Fprintln(stderr, "simulate:", err)
		return 1
	}
	n, failed := s.walk(ctx, rand.New(rand.NewPCG(*seed, 0)), b, people(*crowd), *rate, *maxCount)
	fmt.Fprintf(stdout, "simulate: %d sightings posted, %d failed; stopped (%s)\n", n, failed, why(ctx, n, *maxCount))
	if n == 0 && failed > 0 {
		return 1
	}
	return 0
}

func validate(gateway string, rate float64, d time.Duration, maxCount, crowd int) error {
	switch {
	case rate < 0.1 || rate > 100:
		return fmt.Errorf("-rate %g: want 0.1..100 per second", rate)
	case d <= 0 || d > 24*time.Hour:
		return fmt.Errorf("-duration %s: want more than 0 and at most 24h", d)
	case maxCount < 1 || maxCount > 1_000_000:
		return fmt.Errorf("-max %d: want 1..1000000", maxCount)
	case crowd < 1 || crowd > 1000:
		return fmt.Errorf("-people %d: want 1..1000", crowd)
	}
	return loadgen.CheckLoopback(gateway)
}

func why(ctx context.Context, n, maxCount int) string {
	switch {
	case n >= maxCount:
		return "the -max count"
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return "the -duration"
	default:
		return "interrupted"
	}
}

type sim struct {
	gateway string
	token   string // the write key; never printed
	client  *http.Client
	out     io.Writer
}

// register puts the building's beacons in (POST /beacons is an upsert: a
// second run changes nothing).
func (s sim) register(ctx context.Context, b []room) error {
	for _, r := range b {
		for _, bc := range r.beacons {
			body := map[string]string{"locationId": bc.locationID, "beaconId": bc.id, "beaconName": bc.name}
			if err := s.post(ctx, "/beacons", body); err != nil {
				return fmt.Errorf("registering %s: %w", bc.name, err)
			}
		}
		fmt.Fprintf(s.out, "simulate: %-12s location %s (%d beacon(s))\n", r.name, r.locationID, len(r.beacons))
	}
	return nil
}

// walk posts one sighting per tick until ctx ends or maxCount is reached.
func (s sim) walk(ctx context.Context, rng *rand.Rand, b []room, ps []*person, rate float64, maxCount int) (n, failed int) {
	tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer tick.Stop()
	for n < maxCount {
		select {
		case <-ctx.Done():
			return n, failed
		case <-tick.C:
		}
		p, bc, what := step(rng, b, ps)
		if bc == nil {
			fmt.Fprintf(s.out, "simulate: %s leaves\n", p.name)
			continue
		}
		sighting := map[string]string{"beaconId": bc.id, "userId": p.id, "name": p.name,
			"timeLogged": time.Now().UTC().Format(time.RFC3339Nano)}
		if err := s.post(ctx, "/tracking/sightings", sighting); err != nil {
			if ctx.Err() != nil {
				return n, failed
			}
			failed++
			fmt.Fprintf(s.out, "simulate: sighting failed: %v\n", err)
			continue
		}
		n++
		fmt.Fprintf(s.out, "simulate: %s %s %s (%s)\n", p.name, what, b[p.at].name, bc.name)
	}
	return n, failed
}

func (s sim) post(ctx context.Context, path string, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.gateway+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if s.token != "" {
		req.Header.Set("Authorization", "Bearer "+s.token)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("POST %s: %d %s", path, resp.StatusCode, bytes.TrimSpace(msg))
	}
	return nil
}
