package faults

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestSlowClients: (1) 200 slowloris connections per server dribble header
// bytes to tracking-service and the gateway (read-header timeout 2 s): each
// is closed by the server within the timeout + 1 s, and ordinary requests
// keep answering fast meanwhile. (2) 20 event-stream clients that never
// read: the writers (POST /tracking/sightings, which publishes to them) never
// block, and the stuck subscribers are dropped.
func TestSlowClients(t *testing.T) {
	hosts := cassandraHosts(t)
	const headerTimeout = 2 * time.Second
	for _, p := range []string{"TRACKING", "GATEWAY"} {
		t.Setenv(p+"_READ_HEADER_TIMEOUT", headerTimeout.String())
	}
	t.Setenv("TRACKING_SSE_BUFFER", "8")
	t.Setenv("TRACKING_SSE_WRITE_TIMEOUT", "1s")
	s, _ := startStack(t, hosts, "SimpleStrategy:1")

	var rows [][2]string
	for _, svc := range []string{"tracking", "gateway"} {
		base := s.URL(svc)
		const conns = 200
		var (
			wg       sync.WaitGroup
			closedIn = make([]time.Duration, conns)
			stuck    atomic.Int32
		)
		ctx, cancel := context.WithTimeout(context.Background(), headerTimeout+5*time.Second)
		for i := 0; i < conns; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
				if err != nil {
					stuck.Add(1)
					return
				}
				defer c.Close()
				start := time.Now()
				_, _ = io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n")
				dead := make(chan struct{})
				go func() { _, _ = io.Copy(io.Discard, c); close(dead) }()
				for {
					select {
					case <-dead:
						closedIn[i] = time.Since(start)
						return
					case <-ctx.Done():
						stuck.Add(1)
						return
					case <-time.After(200 * time.Millisecond):
						_, _ = io.WriteString(c, "X") // one header byte at a time, never a line end
					}
				}
			}(i)
		}
		// Meanwhile an ordinary client is served promptly.
		var lats []time.Duration
		client := &http.Client{Timeout: 2 * time.Second}
		okCount := 0
		for i := 0; i < 40; i++ {
			start := time.Now()
			resp, err := client.Get(base + "/healthz")
			if err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == 200 {
					okCount++
				}
			}
			lats = append(lats, time.Since(start))
			time.Sleep(50 * time.Millisecond)
		}
		wg.Wait()
		cancel()
		var maxClosed time.Duration
		for _, d := range closedIn {
			maxClosed = max(maxClosed, d)
		}
		rows = append(rows,
			[2]string{svc + ": slowloris connections closed by the server", itoa(conns-int(stuck.Load())) + " / " + itoa(conns)},
			[2]string{svc + ": slowest close (read-header timeout 2 s)", ms(maxClosed)},
			[2]string{svc + ": /healthz during the attack, ok / p50 / max", fmt.Sprintf("%d/40 / %s / %s", okCount, ms(percentile(lats, 0.5)), ms(percentile(lats, 1)))},
		)
		if stuck.Load() != 0 || maxClosed > headerTimeout+time.Second || okCount != 40 || percentile(lats, 1) > 500*time.Millisecond {
			t.Errorf("%s: stuck %d, slowest close %s, healthz ok %d/40, max %s", svc, stuck.Load(), maxClosed, okCount, percentile(lats, 1))
		}
	}

	// Never-reading event-stream clients.
	tracking := s.URL("tracking")
	const readers = 20
	var conns []net.Conn
	for i := 0; i < readers; i++ {
		c, err := net.Dial("tcp", strings.TrimPrefix(tracking, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetReadBuffer(4096)
		}
		defer c.Close()
		_, _ = io.WriteString(c, "GET /tracking/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
		// Read the status line only, then never read again.
		line, err := bufio.NewReaderSize(c, 64).ReadString('\n')
		if err != nil || !strings.Contains(line, " 200 ") {
			t.Fatalf("event stream %d: %q, %v", i, line, err)
		}
		conns = append(conns, c)
	}
	gen := newSightingGen()
	name := strings.Repeat("n", 200)
	var postLat []time.Duration
	client := &http.Client{Timeout: 10 * time.Second}
	fails := 0
	deadline := time.Now().Add(30 * time.Second)
	for i := 0; i < 300 && time.Now().Before(deadline); i++ {
		status, _, lat, err := postSightings(context.Background(), client, tracking, gen.batch(50, name))
		if err != nil || status != http.StatusCreated {
			fails++
		}
		postLat = append(postLat, lat)
	}
	time.Sleep(2 * time.Second) // let the write timeouts cut the stuck streams
	subs, dropped := streamMetrics(t, tracking)
	rows = append(rows,
		[2]string{"never-reading SSE clients", itoa(readers)},
		[2]string{"POSTs published to them (50 sightings, 200-char names)", itoa(len(postLat))},
		[2]string{"POST failures (must be 0)", itoa(fails)},
		[2]string{"POST latency p50 / p99 / max", ms(percentile(postLat, 0.5)) + " / " + ms(percentile(postLat, 0.99)) + " / " + ms(percentile(postLat, 1))},
		[2]string{"subscribers dropped for falling behind", strconv.Itoa(int(dropped))},
		[2]string{"subscribers still open afterwards", strconv.Itoa(int(subs))},
	)
	table(t, "slow clients (tracking and gateway; read-header timeout 2 s, SSE buffer 8 events, SSE write timeout 1 s)", rows)
	if fails != 0 || percentile(postLat, 1) > 2*time.Second || dropped < readers || subs != 0 {
		t.Errorf("POST failures %d, max latency %s, dropped %v of %d, still open %v", fails, percentile(postLat, 1), dropped, readers, subs)
	}
}

var metricRE = regexp.MustCompile(`(?m)^(tracking_event_subscribers|tracking_event_subscribers_dropped_total) ([0-9.e+]+)$`)

func streamMetrics(t *testing.T, base string) (subs, dropped float64) {
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, m := range metricRE.FindAllStringSubmatch(string(b), -1) {
		v, _ := strconv.ParseFloat(m[2], 64)
		if m[1] == "tracking_event_subscribers" {
			subs = v
		} else {
			dropped = v
		}
	}
	return subs, dropped
}
