package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"testing/iotest"

	"github.com/find-peers/find-peers/tools/testing/systemcheck"
)

// cutBody answers every request with status and headers, then a body that
// ends after a few bytes with err: what a client sees when its own context
// ends, or the connection breaks, after the headers arrived.
type cutBody struct {
	status int
	err    error
}

func (c cutBody) RoundTrip(req *http.Request) (*http.Response, error) {
	body := io.MultiReader(strings.NewReader(`[{"userId":`), iotest.ErrReader(c.err))
	return &http.Response{StatusCode: c.status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(body), Request: req}, nil
}

func loadThrough(rt http.RoundTripper) *load {
	return newLoad(systemcheck.Gateway{URL: "http://gateway.test", HTTP: &http.Client{Transport: rt}}, true)
}

// TestLoadBodyCutByStop: stopping the load (cancelling its context) while a
// read's or a write's body is still arriving is an aborted request, not a
// failure, and the write is not acknowledged. CI's k8s-e2e once failed a
// rolling update on exactly that: "1 × transport: " with no message.
func TestLoadBodyCutByStop(t *testing.T) {
	for _, tc := range []struct {
		name   string
		op     int // odd: a read, even: a write
		status int
	}{{"read", 1, http.StatusOK}, {"write", 0, http.StatusCreated}} {
		t.Run(tc.name, func(t *testing.T) {
			l := loadThrough(cutBody{tc.status, context.Canceled})
			out := l.op(t.Context(), tc.op)
			if out.OK || out.Status != "aborted" {
				t.Errorf("outcome %+v, want aborted", out)
			}
			if failed, _ := l.failed(); failed != 0 || l.aborted != 1 || len(l.ackedWrites()) != 0 {
				t.Errorf("%d failed, %d aborted, %d acknowledged; want 0, 1, 0: %s", failed, l.aborted, len(l.ackedWrites()), l.summary())
			}
		})
	}
}

// TestLoadBodyCutByPeer: a body the other side cut is a failure that says
// why, and a write whose answer did not arrive whole is not acknowledged.
func TestLoadBodyCutByPeer(t *testing.T) {
	for _, tc := range []struct {
		name   string
		op     int
		status int
	}{{"read", 1, http.StatusOK}, {"write", 0, http.StatusCreated}} {
		t.Run(tc.name, func(t *testing.T) {
			l := loadThrough(cutBody{tc.status, syscall.ECONNRESET})
			if out := l.op(t.Context(), tc.op); out.OK {
				t.Fatalf("outcome %+v, want a failure", out)
			}
			if failed, _ := l.failed(); failed != 1 || len(l.ackedWrites()) != 0 {
				t.Errorf("%d failed, %d acknowledged; want 1, 0: %s", failed, len(l.ackedWrites()), l.summary())
			}
			if s := l.summary(); !strings.Contains(s, "1 × transport: connection reset by peer") {
				t.Errorf("summary %q does not name the reset", s)
			}
		})
	}
}

// TestShortErr: failures are grouped by the innermost part of the message,
// which is never empty.
func TestShortErr(t *testing.T) {
	for err, want := range map[error]string{
		errors.New(`Get "http://x/": read tcp: connection reset by peer`): "connection reset by peer",
		errors.New("GET /a: unexpected end of JSON input: "):              "GET /a: unexpected end of JSON input: ",
		errors.New("no separator"):                                        "no separator",
		context.DeadlineExceeded:                                          "timeout",
		errors.New(strings.Repeat("x", 300) + ": "):                       strings.Repeat("x", 200),
	} {
		if got := shortErr(err); got != want {
			t.Errorf("shortErr(%q) = %q, want %q", err, got, want)
		}
	}
}
