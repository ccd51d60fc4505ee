package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/find-peers/find-peers/libs/loadgen"
	"github.com/find-peers/find-peers/libs/procstack"
)

// seedFanoutLocation registers a new location with n beacons and posts
// fanoutRows sightings per beacon into hour, in POSTs of at most seedBatch.
func seedFanoutLocation(ctx context.Context, client *http.Client, s *procstack.Stack, n int, hour time.Time) (string, []string, error) {
	location := loadgen.UUID(nil)
	beacons := make([]string, n)
	for i := range beacons {
		var b struct {
			BeaconID string `json:"beaconId"`
		}
		body := fmt.Sprintf(`{"locationId":%q,"beaconName":"bench beacon %d"}`, location, i)
		if err := postJSON(ctx, client, s.URL("beacon")+"/beacons", body, "", &b); err != nil {
			return "", nil, fmt.Errorf("register beacon: %w", err)
		}
		beacons[i] = b.BeaconID
	}
	// Request i carries rows i*batch..: round-robin over the beacons, so
	// every beacon gets fanoutRows when batch divides n*fanoutRows.
	batch := min(n*fanoutRows, seedBatch)
	w := loadgen.SightingWorkload{Base: s.URL("tracking"), Beacons: beacons, Batch: batch, At: hour, Seed: 7}
	for i := range (n*fanoutRows + batch - 1) / batch {
		req := w.Request(i)
		if err := postJSON(ctx, client, req.URL, string(req.Body), "", nil); err != nil {
			return "", nil, fmt.Errorf("seed sightings: %w", err)
		}
	}
	return location, beacons, nil
}

// cpuTime is a process's CPU time so far (user + system), from
// /proc/<pid>/stat in clock ticks of 10 ms (USER_HZ is 100 on Linux).
func cpuTime(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name, in parentheses, may hold spaces: count fields after it.
	_, rest, ok := strings.Cut(string(data), ") ")
	f := strings.Fields(rest)
	if !ok || len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}

// vmHWM reads a process's peak resident memory (VmHWM) in KiB.
func vmHWM(pid int) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
		}
	}
	return 0, fmt.Errorf("/proc/%d/status has no VmHWM", pid)
}

// batchedTracking issues the tracking calls of one aggregator request at
// once: GET /tracking/sightings for each chunk of trackingBatch beacons.
// The operation lasts as long as the slowest.
func batchedTracking(client *http.Client, base string, beacons []string, hour time.Time) loadgen.Op {
	var urls []string
	for start := 0; start < len(beacons); start += trackingBatch {
		chunk := beacons[start:min(start+trackingBatch, len(beacons))]
		urls = append(urls, fmt.Sprintf("%s/tracking/sightings?epochSeconds=%d&beaconId=%s", strings.TrimRight(base, "/"), hour.Unix(), strings.Join(chunk, ",")))
	}
	op := loadgen.HTTPOp(client, func(k int) loadgen.Request { return loadgen.Request{Method: "GET", URL: urls[k]} })
	return func(ctx context.Context, _ int) loadgen.Outcome {
		outs := make([]loadgen.Outcome, len(urls))
		var wg sync.WaitGroup
		for k := range urls {
			wg.Go(func() { outs[k] = op(ctx, k) })
		}
		wg.Wait()
		for _, o := range outs {
			if !o.OK {
				return o
			}
		}
		return loadgen.Outcome{Status: "200", OK: true}
	}
}

// postJSON posts body, with the gateway key token when not empty, and wants
// a 201; into receives the answer.
func postJSON(ctx context.Context, c *http.Client, url, body, token string, into any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewBufferString(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("POST %s: %d %s", url, resp.StatusCode, data)
	}
	if into != nil {
		return json.Unmarshal(data, into)
	}
	return nil
}
