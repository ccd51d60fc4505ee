package faults

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/find-peers/find-peers/tools/cassandra/launcher"
)

// TestCassandraNodeLoss: against a 3-node cluster (keyspaces RF=3 with
// NetworkTopologyStrategy, LOCAL_QUORUM), 8 clients write 10-sighting
// batches and 2 clients read the hour back through tracking-service for
// 16 s; 5 s in, one node is SIGKILLed (pid from the launcher's state file).
// Every acknowledged write must be readable afterwards, and the requests
// that failed during the fault are counted (the target is 0).
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
	url := s.URL("tracking")
	gen := newSightingGen()

	type result struct {
		start  time.Time
		status int
		err    error
		batch  []sighting
		read   bool
	}
	var (
		mu      sync.Mutex
		results []result
		wg      sync.WaitGroup
	)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	client := &http.Client{Timeout: 10 * time.Second}
	const writers, readers, perBatch, maxWrites = 8, 2, 10, 6000
	sent := 0
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				mu.Lock()
				if sent >= maxWrites {
					mu.Unlock()
					return
				}
				sent++
				mu.Unlock()
				b := gen.batch(perBatch, "node-loss")
				start := time.Now()
				status, _, _, err := postSightings(context.Background(), client, url, b)
				mu.Lock()
				results = append(results, result{start: start, status: status, err: err, batch: b})
				mu.Unlock()
				time.Sleep(10 * time.Millisecond)
			}
		}()
	}
	for r := 0; r < readers; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200 && ctx.Err() == nil; i++ {
				start := time.Now()
				status, err := get(client, fmt.Sprintf("%s/tracking/beacons/%s/%d", url, gen.beacon, gen.hour.Unix()))
				mu.Lock()
				results = append(results, result{start: start, status: status, err: err, read: true})
				mu.Unlock()
				time.Sleep(200 * time.Millisecond)
			}
		}()
	}
	time.Sleep(5 * time.Second)
	victim := cluster.Nodes[2]
	killAt := time.Now()
	if err := syscall.Kill(victim.PID, syscall.SIGKILL); err != nil {
		t.Fatalf("kill node %d (pid %d): %v", victim.Index, victim.PID, err)
	}
	time.Sleep(11 * time.Second)
	cancel()
	wg.Wait()

	var writesOK, writesFailed, readsOK, readsFailed, failedAfterKill int
	for _, r := range results {
		ok := (r.read && r.status == http.StatusOK) || (!r.read && r.status == http.StatusCreated)
		switch {
		case ok && r.read:
			readsOK++
		case ok:
			writesOK++
		case r.read:
			readsFailed++
		default:
			writesFailed++
		}
		if !ok {
			if r.start.After(killAt) {
				failedAfterKill++
			}
			t.Logf("failed %s at +%s: status %d, %v", map[bool]string{true: "read", false: "write"}[r.read], r.start.Sub(killAt), r.status, r.err)
		}
	}
	found := gen.readBack(t, url)
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
	table(t, "Cassandra node loss: 3 nodes, RF=3, LOCAL_QUORUM, node 3 SIGKILLed 5 s into a 16 s load", [][2]string{
		{"writes 201 / failed", itoa(writesOK) + " / " + itoa(writesFailed)},
		{"reads 200 / failed", itoa(readsOK) + " / " + itoa(readsFailed)},
		{"failed requests started after the kill (target 0)", itoa(failedAfterKill)},
		{"sightings acknowledged", itoa(acked)},
		{"acknowledged but not found after the kill (must be 0)", itoa(lost)},
	})
	if lost != 0 {
		t.Errorf("%d acknowledged sightings lost", lost)
	}
	if writesFailed+readsFailed != 0 {
		t.Errorf("%d writes and %d reads failed (target 0)", writesFailed, readsFailed)
	}
}

func get(client *http.Client, url string) (int, error) {
	resp, err := client.Get(url)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}
