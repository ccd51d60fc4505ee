package main

import (
	"context"
	_ "embed"
	"log/slog"
	"net/http"
	"time"

	"github.com/find-peers/find-peers/libs/httpx"
	"github.com/prometheus/client_golang/prometheus"
)

//go:embed openapi.yaml
var openapiYAML []byte

// maxRequestBody is the request body limit: the aggregator only serves GETs,
// so any sizeable body is a mistake or an attack.
const maxRequestBody = 4 << 10

// options are the tunables of the aggregator's handlers (see main.go flags).
type options struct {
	Concurrency  int           // tracking calls in flight per request
	ReadyTimeout time.Duration // bound of the whole /readyz check
	// RequestTimeout bounds a users-at-location request (httpx.WithTimeout;
	// the live stream is exempt); 0: none.
	RequestTimeout time.Duration
	Live           liveConfig
}

// newHandler builds the aggregator's complete HTTP handler: routes plus the
// shared middlewares (request id, access log, metrics, panic recovery).
func newHandler(up *Upstreams, opts options, reg *prometheus.Registry, logger *slog.Logger) http.Handler {
	router := httpx.NewRouter()
	// live is registered before {epochSeconds}, which would match it too.
	router.Handle("/aggregator/locations/{locationId}/live", handleLive(up, opts.Live)).Methods(http.MethodGet)
	router.Handle("/aggregator/locations/{locationId}/{epochSeconds}", httpx.WithTimeout(opts.RequestTimeout, handleUsersAt(up, opts.Concurrency))).Methods(http.MethodGet)
	router.HandleFunc("/healthz", httpx.Healthz).Methods(http.MethodGet, http.MethodHead)
	router.Handle("/readyz", httpx.Readyz(opts.ReadyTimeout,
		httpx.Check{Name: "beacon-service", Fn: func(ctx context.Context) error { return httpx.PingHealthz(ctx, up.HTTP.Do, up.Beacon) }},
		httpx.Check{Name: "tracking-service", Fn: func(ctx context.Context) error { return httpx.PingHealthz(ctx, up.HTTP.Do, up.Tracking) }},
	)).Methods(http.MethodGet, http.MethodHead)
	router.Handle("/metrics", httpx.MetricsHandler(reg)).Methods(http.MethodGet)
	router.HandleFunc("/openapi.yaml", serveOpenAPI).Methods(http.MethodGet, http.MethodHead)

	metrics := httpx.NewMetrics(reg)
	return httpx.Chain(router, httpx.RequestID, httpx.AccessLog(logger), metrics.Middleware, httpx.Recover, httpx.LimitBody(maxRequestBody, "request body too large"))
}

func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/yaml")
	_, _ = w.Write(openapiYAML)
}
