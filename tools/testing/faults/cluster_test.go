package faults

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/find-peers/find-peers/libs/cassandra/launcher"
)

// TestCassandraNodeLoss: against a 3-node cluster (keyspaces RF=3 with
// NetworkTopologyStrategy, LOCAL_QUORUM), 6 clients write 10-sighting
// batches and 4 clients read one beacon's hour (readRows sightings, written
// before the load: two pages of 1000) through tracking-service; at least
// 5 s in, and once the tables are sampledAfter old, one node is SIGKILLed
// (pid from the launcher's state file), and the load goes on for 11 s.
//
// Reads have the strict bounds of docs/RELIABILITY.md: every read answers
// 200, and none that ends from the kill on takes maxReadLatency or more.
// Reads that end before the kill are the baseline: the load alone on 2
// cores shared by 3 JVMs, whose tail reached 1.0-1.15 s in 2 of 9 runs
// here, with no node lost; they must stay under maxBaselineReadLatency, and
// those of maxReadLatency or more are reported. Writes: an acknowledged write not
// readable afterwards fails the test, as does an error answer that is not a
// JSON 502/503 (a 504 is a request that waited out its deadline: never), a
// request with no answer (a transport error, or a hang past the client's
// 10 s timeout), an error answer to a request that ended before the kill, or
// more JSON 502/503 answers than maxFaultFailureRate of the writes in flight
// during the fault window; within that bound they are reported (target 0).
//
// maxFaultFailureRate, maxReadLatency and maxBaselineReadLatency are
// documented in docs/RELIABILITY.md.
const (
	maxFaultFailureRate    = 0.05
	maxReadLatency         = time.Second
	maxBaselineReadLatency = 2 * time.Second
	readRows               = 1500
	warmReads              = 20
	// sampledAfter is the test cluster's read_request_timeout (10 s,
	// libs/cassandra/launcher) and a margin: by then Cassandra has sampled
	// the tables' read latency at least once.
	sampledAfter = 12 * time.Second
)

// nodeLossResult is one request of the node-loss load.
type nodeLossResult struct {
	start, end time.Time
	status     int
	json       bool // the answer's body was JSON
	err        error
	batch      []sighting
	read       bool
}

func (r nodeLossResult) ok() bool {
	return (r.read && r.status == http.StatusOK) || (!r.read && r.status == http.StatusCreated)
}

func TestCassandraNodeLoss(t *testing.T) {
	dir, hosts := os.Getenv("FAULTS_CLUSTER_DIR"), os.Getenv("FAULTS_CLUSTER_HOSTS")
	if dir == "" || hosts == "" {
		t.Skip("FAULTS_CLUSTER_DIR/FAULTS_CLUSTER_HOSTS not set (tools/fault-check starts a 3-node cluster)")
	}
	cluster, err := launcher.ReadState(dir)
	if err != nil || len(cluster.Nodes) != 3 {
		t.Fatalf("cluster state in %s: %d nodes, %v", dir, len(cluster.Nodes), err)
	}
	s, _ := startStack(t, hosts, "NetworkTopologyStrategy:datacenter1=3")
	tablesMade := time.Now()
	url := s.URL("tracking")
	client := &http.Client{Timeout: 10 * time.Second}
	readURL := seedReadPartition(t, client, url)
	gen := newSightingGen()

	var (
		mu      sync.Mutex
		results []nodeLossResult
	)
	record := func(r nodeLossResult) {
		mu.Lock()
		results = append(results, r)
		mu.Unlock()
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const writers, readers, perBatch, maxWrites, maxReadsEach = 6, 4, 10, 6000, 200
	waitWriters := loadWorkers(ctx, writers, maxWrites, func() bool {
		b := gen.batch(perBatch, "node-loss")
		start := time.Now()
		status, isJSON, _, err := postSightings(context.Background(), client, url, b)
		record(nodeLossResult{start: start, end: time.Now(), status: status, json: isJSON, err: err, batch: b})
		time.Sleep(10 * time.Millisecond)
		return true
	})
	waitReaders := loadWorkers(ctx, readers, readers*maxReadsEach, func() bool {
		start := time.Now()
		status, isJSON, err := get(client, readURL)
		record(nodeLossResult{start: start, end: time.Now(), status: status, json: isJSON, err: err, read: true})
		time.Sleep(100 * time.Millisecond)
		return true
	})
	time.Sleep(5 * time.Second)
	// Kill only once every node has sampled the new tables' read latency:
	// until then Cassandra's speculative retry waits half the read timeout
	// whatever the table says (the residue in docs/RELIABILITY.md, "Node
	// loss without slow reads"). It resamples every read_request_timeout.
	time.Sleep(time.Until(tablesMade.Add(sampledAfter)))
	victim := cluster.Nodes[2]
	killAt := time.Now()
	if err := syscall.Kill(victim.PID, syscall.SIGKILL); err != nil {
		t.Fatalf("kill node %d (pid %d): %v", victim.Index, victim.PID, err)
	}
	time.Sleep(11 * time.Second)
	cancel()
	waitWriters()
	waitReaders()
	checkNodeLoss(t, results, killAt, gen.readBack(t, url))
}

// seedReadPartition writes readRows sightings of a beacon of their own, which
// the readers read back: a fixed size (two pages), so that a read's
// latency measures the cluster, not a partition growing under the writers.
// It returns the partition's URL after warmReads unmeasured reads.
func seedReadPartition(t *testing.T, client *http.Client, url string) string {
	t.Helper()
	g := newSightingGen()
	for range readRows / 500 {
		status, _, _, err := postSightings(context.Background(), client, url, g.batch(500, "node-loss-read"))
		if err != nil || status != http.StatusCreated {
			t.Fatalf("seed the read partition: status %d, %v", status, err)
		}
	}
	readURL := fmt.Sprintf("%s/tracking/beacons/%s/%d", url, g.beacon, g.hour.Unix())
	// A fresh cluster's first reads of a new table run cold (JIT, caches,
	// prepared statements on every node): 1.1-1.3 s here, before anything
	// is killed. Warm them up as a running system would be; not measured.
	for range warmReads {
		if status, _, err := get(client, readURL); err != nil || status != http.StatusOK {
			t.Fatalf("warm-up read: status %d, %v", status, err)
		}
	}
	return readURL
}

// nodeLossCounts classifies the results of the load.
type nodeLossCounts struct {
	writesOK, writesFailed, readsOK, readsFailed         int
	inWindow, failedInWindow, hangs, noAnswer, badErrors int
	failedBeforeKill, timedOut, slowReads, slowBaseline  int
	overBaselineBound                                    int
	readsBefore, readsAfter                              []time.Duration
}

func countNodeLoss(t *testing.T, results []nodeLossResult, killAt time.Time) nodeLossCounts {
	var c nodeLossCounts
	for _, r := range results {
		took := r.end.Sub(r.start)
		if r.read {
			after := r.end.After(killAt)
			if after {
				c.readsAfter = append(c.readsAfter, took)
			} else {
				c.readsBefore = append(c.readsBefore, took)
			}
			if took >= maxReadLatency {
				if after {
					c.slowReads++
				} else {
					c.slowBaseline++
				}
				t.Logf("slow read at +%s: took %s, status %d", r.start.Sub(killAt), took, r.status)
			}
			if !after && took >= maxBaselineReadLatency {
				c.overBaselineBound++
			}
		}
		switch {
		case r.ok() && r.read:
			c.readsOK++
		case r.ok():
			c.writesOK++
		case r.read:
			c.readsFailed++
		default:
			c.writesFailed++
		}
		if r.end.After(killAt) && !r.read {
			c.inWindow++
		}
		if r.ok() {
			continue
		}
		what := map[bool]string{true: "read", false: "write"}[r.read]
		t.Logf("failed %s at +%s (took %s): status %d, JSON %v, %v", what, r.start.Sub(killAt), took, r.status, r.json, r.err)
		var ne net.Error
		switch {
		case r.err != nil && errors.As(r.err, &ne) && ne.Timeout():
			c.hangs++
		case r.err != nil:
			c.noAnswer++
		case r.status == http.StatusGatewayTimeout:
			c.timedOut++
		case !r.json || (r.status != http.StatusBadGateway && r.status != http.StatusServiceUnavailable):
			c.badErrors++
		case !r.end.After(killAt):
			c.failedBeforeKill++
		case !r.read:
			c.failedInWindow++
		}
	}
	return c
}

// checkNodeLoss applies the bounds of TestCassandraNodeLoss and prints its table.
func checkNodeLoss(t *testing.T, results []nodeLossResult, killAt time.Time, found map[string]bool) {
	t.Helper()
	c := countNodeLoss(t, results, killAt)
	bound := int(maxFaultFailureRate * float64(c.inWindow))
	acked, lost := 0, 0
	for _, r := range results {
		if r.read || r.status != http.StatusCreated {
			continue
		}
		for _, sg := range r.batch {
			acked++
			if !found[key(sg)] {
				lost++
			}
		}
	}
	lat := func(ds []time.Duration) string {
		return ms(percentile(ds, 0.5)) + " / " + ms(percentile(ds, 0.99)) + " / " + ms(percentile(ds, 1))
	}
	table(t, fmt.Sprintf("Cassandra node loss: 3 nodes, RF=3, LOCAL_QUORUM, node 3 SIGKILLed under load, 12 s after the tables were made (reads: %d rows)", readRows), [][2]string{
		{"writes 201 / failed", itoa(c.writesOK) + " / " + itoa(c.writesFailed)},
		{"reads 200 / failed (failed must be 0)", itoa(c.readsOK) + " / " + itoa(c.readsFailed)},
		{"read latency before the kill, p50 / p99 / max", lat(c.readsBefore)},
		{"read latency from the kill on, p50 / p99 / max", lat(c.readsAfter)},
		{fmt.Sprintf("reads ending from the kill on that took %s or more (must be 0)", maxReadLatency), itoa(c.slowReads)},
		{fmt.Sprintf("reads ending before the kill that took %s or more (reported; %s or more fails)", maxReadLatency, maxBaselineReadLatency), itoa(c.slowBaseline)},
		{"504 answers: a request waited out its deadline (must be 0)", itoa(c.timedOut)},
		{"writes in flight from the kill on", itoa(c.inWindow)},
		{fmt.Sprintf("JSON 502/503 answers to them (target 0, bound %d = %.0f%%)", bound, 100*maxFaultFailureRate), itoa(c.failedInWindow)},
		{"no answer within the client's 10 s timeout (must be 0)", itoa(c.hangs)},
		{"transport errors (must be 0)", itoa(c.noAnswer)},
		{"other errors: not JSON, not 502/503/504 (must be 0)", itoa(c.badErrors)},
		{"errors before the kill (must be 0)", itoa(c.failedBeforeKill)},
		{"sightings acknowledged", itoa(acked)},
		{"acknowledged but not found after the kill (must be 0)", itoa(lost)},
	})
	must := []struct {
		n    int
		what string
	}{
		{lost, "acknowledged sightings lost"},
		{c.readsFailed, "reads failed"},
		{c.slowReads, fmt.Sprintf("reads ending from the kill on took %s or more", maxReadLatency)},
		{c.overBaselineBound, fmt.Sprintf("reads before the kill took %s or more (the load alone)", maxBaselineReadLatency)},
		{c.timedOut, "requests answered 504 (waited out their deadline)"},
		{c.hangs, "requests had no answer within the client's 10 s timeout"},
		{c.noAnswer, "requests ended in a transport error"},
		{c.badErrors, "requests got an error answer that is not a JSON 502/503"},
		{c.failedBeforeKill, "requests failed before the kill"},
	}
	for _, m := range must {
		if m.n != 0 {
			t.Errorf("%d %s", m.n, m.what)
		}
	}
	if c.failedInWindow > bound {
		t.Errorf("%d of %d writes in the fault window got a JSON 502/503, over the bound of %d (%.0f%%)",
			c.failedInWindow, c.inWindow, bound, 100*maxFaultFailureRate)
	} else if c.failedInWindow > 0 {
		t.Logf("%d of %d writes in the fault window got a JSON 502/503: within the bound of %d, reported", c.failedInWindow, c.inWindow, bound)
	}
}

// get returns the status (0 on a transport error) and whether the body is
// JSON with a JSON content type.
func get(client *http.Client, url string) (int, bool, error) {
	resp, err := client.Get(url)
	if err != nil {
		return 0, false, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, false, err
	}
	return resp.StatusCode, strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") && json.Valid(b), nil
}

// TestCountNodeLossJudgesSlowReadsByTheKill: a read of 1 s or more that
// ends from the kill on counts against the node loss; one that ended before
// it is the baseline, reported, and counts only from 2 s.
func TestCountNodeLossJudgesSlowReadsByTheKill(t *testing.T) {
	kill := time.Now()
	read := func(endOffset, took time.Duration) nodeLossResult {
		end := kill.Add(endOffset)
		return nodeLossResult{start: end.Add(-took), end: end, status: http.StatusOK, json: true, read: true}
	}
	c := countNodeLoss(t, []nodeLossResult{
		read(-5*time.Second, 300*time.Millisecond),  // fast, before
		read(-4*time.Second, 1100*time.Millisecond), // slow baseline: reported
		read(-3*time.Second, 2100*time.Millisecond), // over the baseline bound
		read(500*time.Millisecond, 1*time.Second),   // in flight at the kill, slow: judged
		read(3*time.Second, 400*time.Millisecond),   // fast, after
		read(4*time.Second, 1500*time.Millisecond),  // slow, after: judged
	}, kill)
	if c.slowReads != 2 || c.slowBaseline != 2 || c.overBaselineBound != 1 {
		t.Errorf("slow after %d, slow baseline %d, over the baseline bound %d; want 2, 2, 1", c.slowReads, c.slowBaseline, c.overBaselineBound)
	}
	if len(c.readsBefore) != 3 || len(c.readsAfter) != 3 || c.readsOK != 6 {
		t.Errorf("reads before %d, after %d, ok %d; want 3, 3, 6", len(c.readsBefore), len(c.readsAfter), c.readsOK)
	}
}
