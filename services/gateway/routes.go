package main

import (
	"context"
	_ "embed"
	"log/slog"
	"net/http"
	"time"

	"github.com/find-peers/find-peers/libs/httpx"
	"github.com/find-peers/find-peers/libs/sse"
	"github.com/prometheus/client_golang/prometheus"
)

//go:embed openapi.yaml
var openapiYAML []byte

//go:embed index.html
var indexHTML []byte

// options are the gateway's tunables (see main.go flags).
type options struct {
	MaxBody      int64         // request body limit, bytes
	ReadyTimeout time.Duration // bound of the whole /readyz check
	Transport    transportConfig
	// StreamWriteTimeout bounds each write of a proxied event stream, which
	// is exempt from the server's whole-answer write timeout.
	StreamWriteTimeout time.Duration
}

// newHandler builds the gateway: its own endpoints, one reverse proxy per
// upstream prefix, JSON 404 for anything else, and the shared middlewares.
func newHandler(ups []upstream, opts options, reg *prometheus.Registry, logger *slog.Logger) http.Handler {
	transport := newTransport(opts.Transport)
	if opts.StreamWriteTimeout <= 0 {
		opts.StreamWriteTimeout = 10 * time.Second
	}
	upstreamErrors := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gateway_upstream_errors_total",
		Help: "Requests the gateway could not proxy, by upstream and the status it answered.",
	}, []string{"upstream", "status"})
	reg.MustRegister(upstreamErrors)

	router := httpx.NewRouter()
	router.HandleFunc("/", serveIndex).Methods(http.MethodGet, http.MethodHead)
	router.HandleFunc("/healthz", httpx.Healthz).Methods(http.MethodGet, http.MethodHead)
	checks := make([]httpx.Check, len(ups))
	for i, up := range ups {
		checks[i] = httpx.Check{Name: up.Name, Fn: func(ctx context.Context) error { return httpx.PingHealthz(ctx, transport.RoundTrip, up.URL) }}
	}
	router.Handle("/readyz", httpx.Readyz(opts.ReadyTimeout, checks...)).Methods(http.MethodGet, http.MethodHead)
	router.Handle("/metrics", httpx.MetricsHandler(reg)).Methods(http.MethodGet)
	router.HandleFunc("/openapi.yaml", serveOpenAPI).Methods(http.MethodGet, http.MethodHead)
	for _, up := range ups {
		proxy := newProxy(up, transport, upstreamErrors, logger)
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			proxy.ServeHTTP(sse.ProxyWriter(w, opts.StreamWriteTimeout), r)
		})
		// "/beacons" and "/beacons/...", but not "/beaconsX".
		router.Handle(up.Prefix, h)
		router.PathPrefix(up.Prefix + "/").Handler(h)
	}

	metrics := httpx.NewMetrics(reg)
	return httpx.Chain(router, httpx.RequestID, httpx.AccessLog(logger), metrics.Middleware, httpx.Recover, httpx.LimitBody(opts.MaxBody, ""))
}

func serveIndex(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(indexHTML)
}

func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/yaml")
	_, _ = w.Write(openapiYAML)
}
