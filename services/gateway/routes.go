package main

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/find-peers/find-peers/libs/httpx"
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
		checks[i] = httpx.Check{Name: up.Name, Fn: func(ctx context.Context) error { return pingHealthz(ctx, transport, up) }}
	}
	router.Handle("/readyz", httpx.Readyz(opts.ReadyTimeout, checks...)).Methods(http.MethodGet, http.MethodHead)
	router.Handle("/metrics", httpx.MetricsHandler(reg)).Methods(http.MethodGet)
	router.HandleFunc("/openapi.yaml", serveOpenAPI).Methods(http.MethodGet, http.MethodHead)
	for _, up := range ups {
		proxy := newProxy(up, transport, upstreamErrors, logger)
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			proxy.ServeHTTP(withStreamDeadlines(w, opts.StreamWriteTimeout), r)
		})
		// "/beacons" and "/beacons/...", but not "/beaconsX".
		router.Handle(up.Prefix, h)
		router.PathPrefix(up.Prefix + "/").Handler(h)
	}

	metrics := httpx.NewMetrics(reg)
	return httpx.Chain(router, httpx.RequestID, httpx.AccessLog(logger), metrics.Middleware, httpx.Recover, limitBody(opts.MaxBody))
}

func serveIndex(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(indexHTML)
}

func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/yaml")
	_, _ = w.Write(openapiYAML)
}

// pingHealthz reports whether an upstream answers GET /healthz with 200: the
// gateway is ready when it can reach its upstreams; their own dependencies
// are their /readyz's business.
func pingHealthz(ctx context.Context, rt http.RoundTripper, up upstream) error {
	target := up.URL.JoinPath("/healthz").String()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return fmt.Errorf("building request for %s: %w", target, err)
	}
	req.Header.Set(httpx.RequestIDHeader, httpx.RequestIDFrom(ctx))
	resp, err := rt.RoundTrip(req)
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
