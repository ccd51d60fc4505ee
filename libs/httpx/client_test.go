package httpx_test

import (
	"errors"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/find-peers/find-peers/libs/httpx"
	"github.com/find-peers/find-peers/libs/httpx/httpxtest"
)

// TestUpstreamTransportDialTimeout: a connect to an address nobody answers
// (a replica gone) ends after the dial timeout, as a dial error (which a
// balancer moves past), not after the kernel's minutes-long one.
func TestUpstreamTransportDialTimeout(t *testing.T) {
	t.Parallel()
	gone := httpxtest.Blackhole(t)
	for _, tc := range []struct {
		name    string
		timeout time.Duration
		want    time.Duration
	}{
		{"flag", 150 * time.Millisecond, 150 * time.Millisecond},
		{"default", 0, httpx.DefaultDialTimeout},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tr := httpx.NewUpstreamTransport(tc.timeout)
			defer tr.CloseIdleConnections()
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, "http://"+gone+"/healthz", nil)
			start := time.Now()
			resp, err := tr.RoundTrip(req)
			took := time.Since(start)
			if err == nil {
				resp.Body.Close()
				t.Fatal("a blackholed address answered")
			}
			var op *net.OpError
			if !errors.As(err, &op) || op.Op != "dial" {
				t.Fatalf("error %v (%T), want a dial *net.OpError", err, err)
			}
			if took < tc.want || took > tc.want+time.Second {
				t.Fatalf("gave up after %s, want about %s", took, tc.want)
			}
		})
	}
}

// TestUpstreamTransportIgnoresEnvironmentProxy: calls between services go
// straight to the upstream whatever HTTP_PROXY says.
func TestUpstreamTransportIgnoresEnvironmentProxy(t *testing.T) {
	if tr := httpx.NewUpstreamTransport(0); tr.Proxy != nil || tr.MaxIdleConnsPerHost != 64 {
		t.Fatalf("Proxy set %v, %d idle connections per host; want no proxy and 64", tr.Proxy != nil, tr.MaxIdleConnsPerHost)
	}
}
