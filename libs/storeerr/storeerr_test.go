package storeerr

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"testing"

	"github.com/gocql/gocql"

	"github.com/find-peers/find-peers/libs/httpx"
	"github.com/find-peers/find-peers/libs/storeerr/storeerrtest"
)

func TestHTTP(t *testing.T) {
	msgs := map[int]string{
		http.StatusServiceUnavailable:   "database unavailable",
		http.StatusGatewayTimeout:       "database timed out",
		http.StatusInternalServerError:  "internal error",
		httpx.StatusClientClosedRequest: "request canceled",
	}
	// The failures every service's handler tests use, plus the ones only
	// this package needs to tell apart.
	wrap := func(err error) error { return fmt.Errorf("select beacons_by_id: %w", err) }
	tests := []storeerrtest.Case{
		{Name: "session closed", Err: gocql.ErrSessionClosed, Status: 503},
		{Name: "read timeout", Err: wrap(&gocql.RequestErrReadTimeout{}), Status: 504},
		{Name: "net refused", Err: wrap(&net.OpError{Op: "dial", Err: errors.New("refused")}), Status: 503},
		{Name: "canceled", Err: wrap(context.Canceled), Status: httpx.StatusClientClosedRequest},
	}
	for _, tt := range append(storeerrtest.Cases(), tests...) {
		t.Run(tt.Name, func(t *testing.T) {
			e := httpx.AsError(HTTP(tt.Err))
			if e.Status != tt.Status || e.Msg != msgs[tt.Status] {
				t.Errorf("HTTP(%v) = %d %q, want %d %q", tt.Err, e.Status, e.Msg, tt.Status, msgs[tt.Status])
			}
			if storeerrtest.Leaks(e.Msg) {
				t.Errorf("message %q leaks the cause", e.Msg)
			}
			if !errors.Is(HTTP(tt.Err), tt.Err) {
				t.Error("cause lost")
			}
		})
	}
	if HTTP(nil) != nil {
		t.Error("HTTP(nil) != nil")
	}
}
