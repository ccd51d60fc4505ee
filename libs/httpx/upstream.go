package httpx

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// PingHealthz reports whether the service at base answers GET /healthz with
// 200, sending the request with do (an http.Client's Do or a RoundTripper's
// RoundTrip) and the request id of ctx. It is the readiness check a service
// runs on its upstreams: it asks their liveness, not their readiness, since
// whether their own dependencies are up is for their /readyz, and chaining
// readiness would make one Cassandra hiccup mark every service unready.
func PingHealthz(ctx context.Context, do func(*http.Request) (*http.Response, error), base *url.URL) error {
	target := base.JoinPath("/healthz").String()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return fmt.Errorf("building request for %s: %w", target, err)
	}
	if id := RequestIDFrom(ctx); id != "" {
		req.Header.Set(RequestIDHeader, id)
	}
	resp, err := do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %w", target, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d", target, resp.StatusCode)
	}
	return nil
}
