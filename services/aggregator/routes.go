package main

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/find-peers/find-peers/libs/httpx"
	"github.com/prometheus/client_golang/prometheus"
)

//go:embed openapi.yaml
var openapiYAML []byte

// options are the tunables of the aggregator's handlers (see main.go flags).
type options struct {
	Concurrency  int           // tracking calls in flight per request
	ReadyTimeout time.Duration // bound of the whole /readyz check
	Live         liveConfig
}

// newHandler builds the aggregator's complete HTTP handler: routes plus the
// shared middlewares (request id, access log, metrics, panic recovery).
func newHandler(up *Upstreams, opts options, reg *prometheus.Registry, logger *slog.Logger) http.Handler {
	router := httpx.NewRouter()
	// live is registered before {epochSeconds}, which would match it too.
	router.Handle("/aggregator/locations/{locationId}/live", handleLive(up, opts.Live)).Methods(http.MethodGet)
	router.Handle("/aggregator/locations/{locationId}/{epochSeconds}", handleUsersAt(up, opts.Concurrency)).Methods(http.MethodGet)
	router.HandleFunc("/healthz", httpx.Healthz).Methods(http.MethodGet, http.MethodHead)
	router.Handle("/readyz", httpx.Readyz(opts.ReadyTimeout,
		httpx.Check{Name: "beacon-service", Fn: func(ctx context.Context) error { return pingHealthz(ctx, up.HTTP, up.Beacon) }},
		httpx.Check{Name: "tracking-service", Fn: func(ctx context.Context) error { return pingHealthz(ctx, up.HTTP, up.Tracking) }},
	)).Methods(http.MethodGet, http.MethodHead)
	router.Handle("/metrics", httpx.MetricsHandler(reg)).Methods(http.MethodGet)
	router.HandleFunc("/openapi.yaml", serveOpenAPI).Methods(http.MethodGet, http.MethodHead)

	metrics := httpx.NewMetrics(reg)
	return httpx.Chain(router, httpx.RequestID, httpx.AccessLog(logger), metrics.Middleware, httpx.Recover, limitBody(maxRequestBody))
}

func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/yaml")
	_, _ = w.Write(openapiYAML)
}

// pingHealthz reports whether the service at base answers GET /healthz with
// 200. Readiness asks the upstreams' liveness, not their readiness: the
// aggregator is ready when it can reach them; whether their own dependencies
// are up is for their /readyz, and chaining readiness would make one Cassandra
// hiccup mark every service unready.
func pingHealthz(ctx context.Context, client *http.Client, base *url.URL) error {
	target := base.JoinPath("/healthz").String()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return fmt.Errorf("building request for %s: %w", target, err)
	}
	resp, err := client.Do(req)
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
