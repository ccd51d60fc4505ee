package httpx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Check is one named readiness check, e.g. "cassandra" running a cheap query.
type Check struct {
	Name string
	Fn   func(ctx context.Context) error
}

// Healthz is the liveness endpoint: while the process can serve HTTP at all it
// answers 200 {"status":"ok"}. It deliberately checks no dependency, so an
// orchestrator never restarts a healthy process because Cassandra is down.
func Healthz(w http.ResponseWriter, r *http.Request) {
	_ = WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyBody is the /readyz answer. Error is set only on failure so the body
// is also a valid contract error {"error": "..."}.
type readyBody struct {
	Status string            `json:"status"`
	Error  string            `json:"error,omitempty"`
	Checks map[string]string `json:"checks,omitempty"`
}

// Readyz returns the readiness endpoint: it runs every check concurrently,
// each bounded by timeout, and answers 200 {"status":"ok"} when all pass or
// 503 naming the failed checks. Check errors are logged, and only "failed" or
// "timeout" is sent, so dependency internals do not leak. A server that is
// shutting down (see ShuttingDown) is not ready.
func Readyz(timeout time.Duration, checks ...Check) http.Handler {
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-ShuttingDown(r.Context()):
			_ = WriteJSON(w, http.StatusServiceUnavailable, readyBody{Status: "unavailable", Error: "shutting down"})
			return
		default:
		}
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()

		results := make(map[string]string, len(checks))
		var (
			mu     sync.Mutex
			wg     sync.WaitGroup
			failed []string
		)
		for _, c := range checks {
			wg.Go(func() {
				err := runCheck(ctx, c)
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					results[c.Name] = "ok"
					return
				}
				failed = append(failed, c.Name)
				results[c.Name] = "failed"
				if errors.Is(err, context.DeadlineExceeded) {
					results[c.Name] = "timeout"
				}
				LoggerFrom(r.Context()).Warn("readiness check failed", "check", c.Name, "error", err)
			})
		}
		wg.Wait()
		if len(failed) > 0 {
			sort.Strings(failed)
			_ = WriteJSON(w, http.StatusServiceUnavailable, readyBody{
				Status: "unavailable",
				Error:  fmt.Sprintf("not ready: %v failed", failed),
				Checks: results,
			})
			return
		}
		_ = WriteJSON(w, http.StatusOK, readyBody{Status: "ok", Checks: results})
	})
}

// runCheck runs one check but returns at the deadline even if the check
// ignores its context, so one stuck dependency cannot hang /readyz.
func runCheck(ctx context.Context, c Check) (err error) {
	done := make(chan error, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- fmt.Errorf("check %s panicked: %v", c.Name, p)
			}
		}()
		done <- c.Fn(ctx)
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// RecentCheck is a readiness check whose success holds for TTL: within TTL
// of its last success the check passes without running again, and a
// failure is never remembered (the next probe runs it). Succeeded records a
// success known otherwise: a service that has just connected to its store
// has just seen it answer, and is ready without a round trip more.
// Readiness probes come every few seconds, so a TTL of about a second
// changes what they report by at most that much.
type RecentCheck struct {
	Name string
	Fn   func(ctx context.Context) error
	TTL  time.Duration
	last atomic.Pointer[time.Time] // the last success (monotonic clock); nil: none
}

// Succeeded records a success now.
func (r *RecentCheck) Succeeded() {
	now := time.Now()
	r.last.Store(&now)
}

// Check is r as a Check for Readyz.
func (r *RecentCheck) Check() Check {
	return Check{Name: r.Name, Fn: func(ctx context.Context) error {
		if last := r.last.Load(); last != nil && time.Since(*last) < r.TTL {
			return nil
		}
		if err := r.Fn(ctx); err != nil {
			return err
		}
		r.Succeeded()
		return nil
	}}
}
