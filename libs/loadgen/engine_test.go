package loadgen

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestPercentileNearestRank(t *testing.T) {
	s := make([]time.Duration, 100)
	for i := range s {
		s[i] = time.Duration(i+1) * time.Millisecond
	}
	for p, want := range map[float64]time.Duration{50: 50 * time.Millisecond, 90: 90 * time.Millisecond, 99: 99 * time.Millisecond, 100: 100 * time.Millisecond, 0: time.Millisecond} {
		if got := Percentile(s, p); got != want {
			t.Errorf("p%v = %v, want %v", p, got, want)
		}
	}
	if got := Percentile([]time.Duration{7}, 99); got != 7 {
		t.Errorf("one sample: %v", got)
	}
	if got := Percentile(nil, 50); got != 0 {
		t.Errorf("no samples: %v", got)
	}
}

func TestSummarizeDoesNotReorderInput(t *testing.T) {
	in := []time.Duration{3 * time.Millisecond, time.Millisecond, 2 * time.Millisecond}
	l := Summarize(in)
	if l.Min != 1 || l.Max != 3 || l.P50 != 2 || l.Mean != 2 {
		t.Fatalf("summary %+v", l)
	}
	if in[0] != 3*time.Millisecond {
		t.Fatal("input was sorted in place")
	}
}

// The schedule is open loop: a server that stalls does not slow the
// arrivals, and the requests scheduled during the stall carry the wait in
// their latency (no coordinated omission).
func TestOpenLoopMeasuresFromScheduledTime(t *testing.T) {
	var calls atomic.Int64
	op := func(ctx context.Context, i int) Outcome {
		calls.Add(1)
		if i == 0 {
			time.Sleep(300 * time.Millisecond) // one worker, stalled
		}
		return Outcome{Status: "ok", OK: true}
	}
	res, err := Run(t.Context(), Config{Rate: 100, Duration: 200 * time.Millisecond, Concurrency: 1}, op)
	if err != nil {
		t.Fatal(err)
	}
	if res.Ops != 20 || calls.Load() != 20 {
		t.Fatalf("ops %d, calls %d, want 20 (rate x duration)", res.Ops, calls.Load())
	}
	// Request 10 was due at 100 ms and sent at ~300 ms: ~200 ms late. A
	// closed-loop measurement would report ~0 for it.
	if res.Latency.P50 < 100 {
		t.Fatalf("p50 %.1f ms: queueing behind the stall not counted", res.Latency.P50)
	}
	if res.Mode != "open" || res.OK != 20 || res.Errors != 0 {
		t.Fatalf("result %+v", res)
	}
}

func TestOpenLoopKeepsRate(t *testing.T) {
	began := time.Now()
	res, err := Run(t.Context(), Config{Rate: 200, Duration: 500 * time.Millisecond, Concurrency: 4},
		func(context.Context, int) Outcome { return Outcome{Status: "ok", OK: true, Items: 3} })
	if err != nil {
		t.Fatal(err)
	}
	if res.Ops != 100 || res.Items != 300 {
		t.Fatalf("ops %d items %d, want 100 and 300", res.Ops, res.Items)
	}
	if el := time.Since(began); el < 450*time.Millisecond || el > 2*time.Second {
		t.Fatalf("run took %v for a 500 ms schedule", el)
	}
}

func TestMaxOpsBoundsTheRun(t *testing.T) {
	res, err := Run(t.Context(), Config{Rate: 1000, Duration: time.Minute, MaxOps: 5, Concurrency: 2},
		func(context.Context, int) Outcome { return Outcome{Status: "ok", OK: true} })
	if err != nil {
		t.Fatal(err)
	}
	if res.Ops != 5 {
		t.Fatalf("ops %d, want 5", res.Ops)
	}
	res, err = Run(t.Context(), Config{Duration: 10 * time.Second, MaxOps: 50, Concurrency: 3},
		func(context.Context, int) Outcome { return Outcome{Status: "ok", OK: true} })
	if err != nil || res.Ops != 50 || res.Mode != "closed" {
		t.Fatalf("closed loop: %+v %v", res, err)
	}
}

func TestClosedLoopStopsAtDuration(t *testing.T) {
	began := time.Now()
	res, err := Run(t.Context(), Config{Duration: 200 * time.Millisecond, Concurrency: 2},
		func(ctx context.Context, i int) Outcome {
			time.Sleep(10 * time.Millisecond)
			return Outcome{Status: "ok", OK: true}
		})
	if err != nil {
		t.Fatal(err)
	}
	if el := time.Since(began); el > time.Second {
		t.Fatalf("closed loop ran %v", el)
	}
	if res.Ops < 20 || res.Ops > 50 {
		t.Fatalf("ops %d, want about 40 (2 workers x 200ms / 10ms)", res.Ops)
	}
}

func TestDrainIsBounded(t *testing.T) {
	began := time.Now()
	res, err := Run(t.Context(), Config{Rate: 50, Duration: 100 * time.Millisecond, Concurrency: 1, Timeout: 50 * time.Millisecond, Drain: 100 * time.Millisecond},
		func(ctx context.Context, i int) Outcome {
			<-ctx.Done() // a server that never answers
			return Outcome{Status: "timeout"}
		})
	if err != nil {
		t.Fatal(err)
	}
	if el := time.Since(began); el > time.Second {
		t.Fatalf("run took %v", el)
	}
	if res.Ops != 5 || res.OK != 0 || res.Errors != 5 {
		t.Fatalf("result %+v", res)
	}
}

func TestRejectsBadConfig(t *testing.T) {
	op := func(context.Context, int) Outcome { return Outcome{} }
	for _, c := range []Config{{}, {Duration: 2 * time.Hour}, {Duration: time.Second, Rate: -1}} {
		if _, err := Run(t.Context(), c, op); err == nil {
			t.Errorf("config %+v accepted", c)
		}
	}
}

func TestCheckLoopback(t *testing.T) {
	for _, ok := range []string{"http://127.0.0.1:9000", "http://localhost:8082/x", "http://[::1]:80", "http://127.8.9.10"} {
		if err := CheckLoopback(ok); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"http://10.0.0.1:9000", "http://192.168.1.2", "http://example.com", "http://0.0.0.0:9000", "ftp://127.0.0.1", "http://[::ffff:8.8.8.8]:80"} {
		if err := CheckLoopback(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestClientRefusesNonLoopbackDial(t *testing.T) {
	c := NewClient(1, time.Second)
	_, err := c.Get("http://192.0.2.1:9/") // TEST-NET-1: never dialled
	if err == nil || !strings.Contains(err.Error(), "non-loopback") {
		t.Fatalf("err = %v", err)
	}
}

func TestHTTPOpAndSightingWorkload(t *testing.T) {
	var got []Sighting
	var lastAuth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lastAuth = r.Header.Get("Authorization")
		if r.URL.Path != "/tracking/sightings" || r.Header.Get("Content-Type") != "application/json" {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		if err := json.NewDecoder(r.Body).Decode(&got); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()
	w := SightingWorkload{Base: srv.URL, Beacons: []string{"b1", "b2", "b3"}, Batch: 5, At: time.Unix(1473156000, 0), Seed: 1}
	out := HTTPOp(NewClient(1, time.Second), w.Request)(t.Context(), 0)
	if !out.OK || out.Status != "201" || out.Items != 5 {
		t.Fatalf("outcome %+v", out)
	}
	if len(got) != 5 || got[0].BeaconID != "b1" || got[3].BeaconID != "b1" || got[4].BeaconID != "b2" {
		t.Fatalf("posted %+v", got)
	}
	for _, s := range got {
		ts, err := time.Parse(time.RFC3339Nano, s.TimeLogged)
		if err != nil || ts.Truncate(time.Hour) != time.Unix(1473156000, 0).UTC() {
			t.Fatalf("time %q outside the hour: %v", s.TimeLogged, err)
		}
		if len(s.UserID) != 36 || s.UserID[14] != '4' {
			t.Fatalf("user id %q", s.UserID)
		}
	}
	// Same seed, same rows; a single sighting is an object.
	if a, b := w.Rows(7), w.Rows(7); a[0] != b[0] {
		t.Fatal("rows not deterministic")
	}
	one := SightingWorkload{Base: srv.URL, Beacons: []string{"b"}, Batch: 1}.Request(0)
	if one.Body[0] != '{' || one.Items != 1 {
		t.Fatalf("single: %s", one.Body)
	}
	if one.Token != "" {
		t.Fatal("a workload without a token sends one")
	}
	keyed := SightingWorkload{Base: srv.URL, Beacons: []string{"b"}, Batch: 2, Token: "k1"}
	if out := HTTPOp(NewClient(1, time.Second), keyed.Request)(t.Context(), 0); !out.OK || lastAuth != "Bearer k1" {
		t.Fatalf("keyed request: %+v, Authorization %q", out, lastAuth)
	}
	bad := HTTPOp(NewClient(1, time.Second), HourQueries(srv.URL, []string{"b"}, time.Unix(0, 0)))(t.Context(), 0)
	if bad.OK || bad.Status != "404" {
		t.Fatalf("404 outcome %+v", bad)
	}
}

func TestErrorCountsByStatus(t *testing.T) {
	res, err := Run(t.Context(), Config{Rate: 100, Duration: 100 * time.Millisecond, Concurrency: 2},
		func(_ context.Context, i int) Outcome {
			if i%2 == 0 {
				return Outcome{Status: "503"}
			}
			return Outcome{Status: "200", OK: true}
		})
	if err != nil {
		t.Fatal(err)
	}
	if res.Statuses["503"] != 5 || res.Statuses["200"] != 5 || res.Errors != 5 || StatusString(res.Statuses) != "200:5 503:5" {
		t.Fatalf("statuses %v errors %d", res.Statuses, res.Errors)
	}
	var sb strings.Builder
	if err := WriteTable(&sb, []*Result{res}); err != nil || !strings.Contains(sb.String(), "p99 ms") {
		t.Fatalf("table %q %v", sb.String(), err)
	}
	data, err := json.Marshal(res)
	if err != nil || !strings.Contains(string(data), `"latencyMs"`) {
		t.Fatalf("json %s %v", data, err)
	}
}

func TestResultJSONRoundTrip(t *testing.T) {
	in := &Result{Mode: "open", Elapsed: Seconds(1500 * time.Millisecond), Latency: Latency{P50: 1.5}, Statuses: map[string]int{"200": 3}}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out Result
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	if out.Elapsed != in.Elapsed || out.Latency.P50 != 1.5 || out.Statuses["200"] != 3 {
		t.Fatalf("round trip %+v", out)
	}
}
