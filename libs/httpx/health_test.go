package httpx

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestHealthz(t *testing.T) {
	rec := httptest.NewRecorder()
	Healthz(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if rec.Code != 200 || strings.TrimSpace(rec.Body.String()) != `{"status":"ok"}` {
		t.Errorf("got %d %s", rec.Code, rec.Body.String())
	}
}

func readyz(t *testing.T, h http.Handler, ctx context.Context) (int, readyBody) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil).WithContext(ctx))
	var body readyBody
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("body %q: %v", rec.Body.String(), err)
	}
	return rec.Code, body
}

func TestReadyzAllOK(t *testing.T) {
	ok := func(context.Context) error { return nil }
	code, body := readyz(t, Readyz(time.Second, Check{"cassandra", ok}, Check{"other", ok}), context.Background())
	if code != 200 || body.Status != "ok" || body.Error != "" {
		t.Errorf("got %d %+v", code, body)
	}
	if body.Checks["cassandra"] != "ok" || body.Checks["other"] != "ok" {
		t.Errorf("checks = %v", body.Checks)
	}
}

func TestReadyzNoChecks(t *testing.T) {
	if code, _ := readyz(t, Readyz(0), context.Background()); code != 200 {
		t.Errorf("status = %d", code)
	}
}

func TestReadyzNamesFailedCheckWithoutLeaking(t *testing.T) {
	h := Readyz(time.Second,
		Check{"cassandra", func(context.Context) error { return errors.New("dial 10.1.2.3:9042: refused") }},
		Check{"fine", func(context.Context) error { return nil }},
	)
	code, body := readyz(t, h, context.Background())
	if code != 503 {
		t.Errorf("status = %d", code)
	}
	if !strings.Contains(body.Error, "cassandra") || strings.Contains(body.Error, "10.1.2.3") {
		t.Errorf("error = %q", body.Error)
	}
	if body.Checks["cassandra"] != "failed" || body.Checks["fine"] != "ok" {
		t.Errorf("checks = %v", body.Checks)
	}
}

func TestReadyzTimesOutStuckCheck(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	h := Readyz(50*time.Millisecond, Check{"stuck", func(context.Context) error {
		<-release // ignores its context on purpose
		return nil
	}})
	start := time.Now()
	code, body := readyz(t, h, context.Background())
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("readyz took %v", elapsed)
	}
	if code != 503 || body.Checks["stuck"] != "timeout" {
		t.Errorf("got %d %+v", code, body)
	}
}

func TestReadyzPanickingCheck(t *testing.T) {
	h := Readyz(time.Second, Check{"boom", func(context.Context) error { panic("boom") }})
	if code, body := readyz(t, h, context.Background()); code != 503 || body.Checks["boom"] != "failed" {
		t.Errorf("got %d %+v", code, body)
	}
}

func TestReadyzShuttingDown(t *testing.T) {
	ch := make(chan struct{})
	close(ch)
	ctx := context.WithValue(context.Background(), shutdownKey{}, ch)
	code, body := readyz(t, Readyz(time.Second), ctx)
	if code != 503 || body.Error != "shutting down" {
		t.Errorf("got %d %+v", code, body)
	}
}

func TestRecentCheckReusesSuccessOnly(t *testing.T) {
	var runs int
	fail := true
	r := &RecentCheck{Name: "cassandra", TTL: 50 * time.Millisecond, Fn: func(context.Context) error {
		runs++
		if fail {
			return errors.New("down")
		}
		return nil
	}}
	h := Readyz(time.Second, r.Check())
	for i := range 2 { // a failure is not remembered: every probe runs the check
		if code, _ := readyz(t, h, context.Background()); code != 503 || runs != i+1 {
			t.Fatalf("probe %d while failing: status %d, check ran %d times", i, code, runs)
		}
	}
	fail = false
	for range 3 { // one success holds for the TTL: the check ran once more
		if code, _ := readyz(t, h, context.Background()); code != 200 {
			t.Fatalf("status %d after recovery", code)
		}
	}
	if runs != 3 {
		t.Errorf("check ran %d times, want 3 (two failures, then one success reused)", runs)
	}
	time.Sleep(60 * time.Millisecond)
	fail = true // past the TTL the check runs again and its failure shows
	if code, _ := readyz(t, h, context.Background()); code != 503 || runs != 4 {
		t.Errorf("after the TTL: status %d, check ran %d times, want 503 and 4", code, runs)
	}
}

func TestRecentCheckSucceededSeedsTheFirstProbe(t *testing.T) {
	r := &RecentCheck{Name: "cassandra", TTL: time.Minute, Fn: func(context.Context) error {
		return errors.New("must not run: a success was recorded")
	}}
	if code, _ := readyz(t, Readyz(time.Second, r.Check()), context.Background()); code != 503 {
		t.Fatalf("status %d before Succeeded, want 503", code)
	}
	r.Succeeded()
	if code, body := readyz(t, Readyz(time.Second, r.Check()), context.Background()); code != 200 || body.Checks["cassandra"] != "ok" {
		t.Errorf("after Succeeded: %d %+v", code, body)
	}
}
