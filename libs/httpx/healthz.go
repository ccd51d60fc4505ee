package httpx

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"
)

// This file is the one /healthz client: the readiness check a service runs
// on its upstreams (PingHealthz) and the container healthcheck
// (ProbeHealthz) send the same request and accept the same answer.

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

// ProbeHealthz is PingHealthz of the server listening on listenAddr, bounded
// by timeout. It is the container healthcheck (`<service> health`): images
// have no shell or curl, so the binary probes itself. A wildcard listen host
// (":8081", "0.0.0.0:8081", "[::]:8081") is probed on loopback.
func ProbeHealthz(ctx context.Context, listenAddr string, timeout time.Duration) error {
	host, port, err := net.SplitHostPort(listenAddr)
	if err != nil {
		return fmt.Errorf("health probe: listen address %q: %w", listenAddr, err)
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	base := &url.URL{Scheme: "http", Host: net.JoinHostPort(host, port)}
	if err := PingHealthz(ctx, http.DefaultClient.Do, base); err != nil {
		return fmt.Errorf("health probe: %w", err)
	}
	return nil
}
