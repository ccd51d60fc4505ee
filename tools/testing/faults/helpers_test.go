package faults

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gocql/gocql"

	"github.com/find-peers/find-peers/libs/cassandra"
	"github.com/find-peers/find-peers/libs/logtest"
	"github.com/find-peers/find-peers/libs/procstack"
)

var (
	buildOnce sync.Once
	built     procstack.Binaries
	buildErr  error
)

// binaries finds the service executables: *_BIN (runfiles paths under
// Bazel, or absolute paths from tools/fault-check) or a go build.
func binaries(t *testing.T) procstack.Binaries {
	t.Helper()
	buildOnce.Do(func() {
		built = procstack.BinariesFromEnv()
		dir, err := os.MkdirTemp("", "faults-bin")
		if err != nil {
			buildErr = err
			return
		}
		buildErr = procstack.BuildMissing(context.Background(), &built, dir, io.Discard)
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return built
}

func cassandraHosts(t *testing.T) string {
	h := os.Getenv("CASSANDRA_HOSTS")
	if h == "" {
		t.Skip("CASSANDRA_HOSTS not set (tools/fault-check sets it)")
	}
	return h
}

// writeToken is the running stack's write key, sent with every POST (the
// services themselves ignore it; the gateway requires it).
var writeToken string

// startStack runs the four services on free ports with fresh keyspaces
// (migrated, not seeded) and drops the keyspaces at the end.
func startStack(t *testing.T, hosts, replication string) (*procstack.Stack, *logtest.Buffer) {
	t.Helper()
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	id := hex.EncodeToString(suffix)
	beaconKS, trackingKS := "faults_beacon_"+id, "faults_tracking_"+id
	logs := &logtest.Buffer{}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	s, err := procstack.Start(ctx, procstack.Config{
		Bin: binaries(t), CassandraHosts: hosts, Replication: replication, Output: logs,
		BeaconKeyspace: beaconKS, TrackingKeyspace: trackingKS,
	})
	if err != nil {
		t.Fatalf("start the stack: %v\n%s", err, tail(logs.String(), 40))
	}
	writeToken = s.WriteToken()
	t.Cleanup(func() {
		_ = s.Stop() // a service the test killed reports an unclean exit
		if t.Failed() {
			t.Logf("service logs (tail):\n%s", tail(logs.String(), 60))
		}
		dropKeyspaces(t, hosts, beaconKS, trackingKS)
	})
	return s, logs
}

func dropKeyspaces(t *testing.T, hosts string, keyspaces ...string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	session, err := cassandra.Connect(ctx, cassandra.Config{Hosts: strings.Split(hosts, ","), Timeout: 30 * time.Second, NumConns: 1})
	if err != nil {
		t.Logf("connect to drop keyspaces: %v", err)
		return
	}
	defer session.Close()
	for _, ks := range keyspaces {
		// Generated names above; keyspace names cannot be bound parameters.
		if err := session.Query("DROP KEYSPACE IF EXISTS " + ks).WithContext(ctx).Exec(); err != nil {
			t.Logf("drop %s: %v", ks, err)
		}
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// sighting is the wire form posted by the load generators.
type sighting struct {
	BeaconID   string `json:"beaconId"`
	TimeLogged string `json:"timeLogged"`
	UserID     string `json:"userId"`
	Name       string `json:"name"`
}

// sightingGen makes sightings that are all distinct rows of one beacon in
// one clock hour (distinct milliseconds), so a read of that hour returns
// every one of them.
type sightingGen struct {
	mu     sync.Mutex
	beacon gocql.UUID
	hour   time.Time
	next   int
}

func newSightingGen() *sightingGen {
	b, _ := gocql.RandomUUID()
	return &sightingGen{beacon: b, hour: time.Date(2016, 9, 6, 10, 0, 0, 0, time.UTC)}
}

func (g *sightingGen) batch(n int, name string) []sighting {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]sighting, n)
	for i := range out {
		u, _ := gocql.RandomUUID()
		at := g.hour.Add(time.Duration(g.next) * time.Millisecond)
		g.next++
		out[i] = sighting{BeaconID: g.beacon.String(), TimeLogged: at.Format(time.RFC3339Nano), UserID: u.String(), Name: name}
	}
	return out
}

// readBack returns the keys (time|user) of the generator's hour as stored.
func (g *sightingGen) readBack(t *testing.T, baseURL string) map[string]bool {
	t.Helper()
	url := fmt.Sprintf("%s/tracking/beacons/%s/%d", baseURL, g.beacon, g.hour.Unix())
	var rows []sighting
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		resp, err := http.Get(url)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				if err := json.Unmarshal(body, &rows); err != nil {
					t.Fatalf("read back: %v", err)
				}
				lastErr = nil
				break
			}
			err = fmt.Errorf("status %d: %s", resp.StatusCode, body)
		}
		lastErr = err
		time.Sleep(time.Second)
	}
	if lastErr != nil {
		t.Fatalf("read back %s: %v", url, lastErr)
	}
	found := make(map[string]bool, len(rows))
	for _, r := range rows {
		found[key(r)] = true
	}
	return found
}

func key(s sighting) string {
	at, _ := time.Parse(time.RFC3339Nano, s.TimeLogged)
	return at.UTC().Format(time.RFC3339Nano) + "|" + s.UserID
}

// postSightings posts a batch and returns the status (0 on a transport
// error), whether the error body was JSON, and the latency.
func postSightings(ctx context.Context, client *http.Client, url string, batch []sighting) (status int, jsonBody bool, latency time.Duration, err error) {
	return postSightingsID(ctx, client, url, batch, "")
}

// postSightingsID is postSightings sending requestID as X-Request-Id (none
// when empty), so that the test can look the request up in the logs.
func postSightingsID(ctx context.Context, client *http.Client, url string, batch []sighting, requestID string) (status int, jsonBody bool, latency time.Duration, err error) {
	body, _ := json.Marshal(batch)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url+"/tracking/sightings", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	// Sightings are idempotent upserts: the transport may replay the request
	// on a connection the server closed before reading it.
	req.Header.Set("Idempotency-Key", "sightings")
	req.Header.Set("Authorization", "Bearer "+writeToken)
	if requestID != "" {
		req.Header.Set("X-Request-Id", requestID)
	}
	start := time.Now()
	resp, err := client.Do(req)
	latency = time.Since(start)
	if err != nil {
		return 0, false, latency, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") && json.Valid(b), latency, nil
}

// table prints a two-column result table and appends it to $FAULTS_RESULTS
// (Markdown) when set.
func table(t *testing.T, title string, rows [][2]string) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "#### %s\n\n| measure | value |\n|---|---:|\n", title)
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s |\n", r[0], r[1])
	}
	fmt.Println(b.String())
	if p := os.Getenv("FAULTS_RESULTS"); p != "" {
		f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			fmt.Fprintln(f, b.String())
			f.Close()
		}
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond)) }

func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(p * float64(len(s)-1))
	return s[i]
}

func itoa(n int) string { return fmt.Sprint(n) }

// loadWorkers runs workers goroutines that each call op again and again
// until ctx ends, op returns false (that worker stops), or op has been
// called maxCalls times in all: the bounded load of every fault test. It
// returns a function that waits for the workers to finish.
func loadWorkers(ctx context.Context, workers, maxCalls int, op func() bool) (wait func()) {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		sent int
	)
	claim := func() bool {
		mu.Lock()
		defer mu.Unlock()
		if sent >= maxCalls {
			return false
		}
		sent++
		return true
	}
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil && claim() && op() {
			}
		})
	}
	return wg.Wait
}
