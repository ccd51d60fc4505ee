package httpx

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestWithTimeout(t *testing.T) {
	var deadline time.Time
	var hasDeadline bool
	// A handler that waits for its context, as a store call to a dead node
	// would, and answers with the error as the handlers do.
	slow := HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		deadline, hasDeadline = r.Context().Deadline()
		select {
		case <-r.Context().Done():
			return Wrap(http.StatusGatewayTimeout, "database timed out", r.Context().Err())
		case <-time.After(5 * time.Second):
			return WriteJSON(w, http.StatusOK, "too late")
		}
	})
	began := time.Now()
	rec := httptest.NewRecorder()
	WithTimeout(50*time.Millisecond, slow).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/x", nil))
	took := time.Since(began)
	if rec.Code != http.StatusGatewayTimeout || rec.Header().Get("Content-Type") != "application/json" {
		t.Errorf("answer %d %q, want a JSON 504", rec.Code, rec.Header().Get("Content-Type"))
	}
	if !hasDeadline || deadline.Sub(began) > 50*time.Millisecond+time.Second {
		t.Errorf("handler deadline %v (set %v), want about 50ms from the start", deadline.Sub(began), hasDeadline)
	}
	if took > 2*time.Second {
		t.Errorf("answered after %s", took)
	}

	// d <= 0: no deadline at all (the handler is returned as is).
	var ctxErr error
	WithTimeout(0, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, hasDeadline = r.Context().Deadline()
		ctxErr = r.Context().Err()
	})).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/x", nil))
	if hasDeadline || ctxErr != nil {
		t.Errorf("WithTimeout(0): deadline %v, err %v", hasDeadline, ctxErr)
	}

	// A handler that finishes in time is untouched and its context is
	// released afterwards.
	var inner context.Context
	rec = httptest.NewRecorder()
	WithTimeout(time.Minute, HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		inner = r.Context()
		return WriteJSON(w, http.StatusOK, map[string]int{"n": 1})
	})).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/x", nil))
	if rec.Code != http.StatusOK || !errors.Is(inner.Err(), context.Canceled) {
		t.Errorf("fast handler: %d, context after return %v", rec.Code, inner.Err())
	}
}
