package storeerr

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/gocql/gocql"

	"github.com/find-peers/find-peers/libs/httpx"
)

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

var _ net.Error = timeoutErr{}

func TestHTTP(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("select beacons_by_id: %w", err) }
	tests := []struct {
		name   string
		err    error
		status int
		msg    string
	}{
		{"no hosts", wrap(gocql.ErrNoConnections), 503, "database unavailable"},
		{"session closed", gocql.ErrSessionClosed, 503, "database unavailable"},
		{"unavailable replicas", wrap(&gocql.RequestErrUnavailable{}), 503, "database unavailable"},
		{"driver timeout", wrap(gocql.ErrTimeoutNoResponse), 504, "database timed out"},
		{"read timeout", wrap(&gocql.RequestErrReadTimeout{}), 504, "database timed out"},
		{"write timeout", &gocql.RequestErrWriteTimeout{}, 504, "database timed out"},
		{"deadline", wrap(context.DeadlineExceeded), 504, "database timed out"},
		{"net timeout", wrap(timeoutErr{}), 504, "database timed out"},
		{"net refused", wrap(&net.OpError{Op: "dial", Err: errors.New("refused")}), 503, "database unavailable"},
		{"canceled", wrap(context.Canceled), httpx.StatusClientClosedRequest, "request canceled"},
		{"other", wrap(errors.New("unmarshal: bad column")), 500, "internal error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := httpx.AsError(HTTP(tt.err))
			if e.Status != tt.status || e.Msg != tt.msg {
				t.Errorf("HTTP(%v) = %d %q, want %d %q", tt.err, e.Status, e.Msg, tt.status, tt.msg)
			}
			if !errors.Is(HTTP(tt.err), tt.err) {
				t.Error("cause lost")
			}
		})
	}
	if HTTP(nil) != nil {
		t.Error("HTTP(nil) != nil")
	}
}
