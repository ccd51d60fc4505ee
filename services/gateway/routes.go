package main

import (
	"context"
	_ "embed"
	"log/slog"
	"net/http"
	"time"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/find-peers/find-peers/libs/httpx"
	"github.com/find-peers/find-peers/libs/sse"
)

// openAPI is the API description served at /openapi.yaml; embedding it
// keeps the document served in step with the binary (and a test checks it
// against the router).
//
//go:embed openapi.yaml
var openAPI []byte

// options are the gateway's tunables (see main.go flags).
type options struct {
	MaxBody   int64 // request body limit, bytes
	Transport transportConfig
	// StreamWriteTimeout bounds each write of a proxied event stream, which
	// is exempt from the server's whole-answer write timeout.
	StreamWriteTimeout time.Duration
	// Access is the API access control in front of every proxied prefix.
	Access accessConfig
}

// routes wires the gateway beside the operational endpoints, in the shared
// middleware (httpx.Ops) and the request body limit.
func routes(ups []upstream, opts options, ops httpx.Ops, logger *slog.Logger) http.Handler {
	return ops.Handler(newRouter(ups, opts, ops, logger), logger, httpx.LimitBody(opts.MaxBody, ""))
}

// newRouter maps the web page and one reverse proxy per upstream prefix
// (the openapi.yaml test walks it); anything else is a JSON 404. /readyz
// checks that every upstream is alive.
func newRouter(ups []upstream, opts options, ops httpx.Ops, logger *slog.Logger) *mux.Router {
	transport := newTransport(opts.Transport)
	if opts.StreamWriteTimeout <= 0 {
		opts.StreamWriteTimeout = 10 * time.Second
	}
	upstreamErrors := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gateway_upstream_errors_total",
		Help: "Requests the gateway could not proxy, by upstream and the status it answered.",
	}, []string{"upstream", "status"})
	ops.Registry.MustRegister(upstreamErrors)

	ops.OpenAPI = openAPI
	for _, up := range ups {
		ops.Checks = append(ops.Checks, httpx.Check{Name: up.Name, Fn: func(ctx context.Context) error { return httpx.PingHealthz(ctx, transport.RoundTrip, up.URL) }})
	}
	auth := newAuthorizer(opts.Access, ops.Registry)
	router := ops.Router()
	index, assets := webHandlers()
	router.Handle("/", index).Methods(http.MethodGet, http.MethodHead)
	router.Handle("/ui/{file}", assets).Methods(http.MethodGet, http.MethodHead)
	for _, up := range ups {
		proxy := newProxy(up, transport, upstreamErrors, logger)
		// Only the API is behind the access check: the web page and the
		// operational endpoints (health, metrics, openapi) stay open.
		h := auth.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			proxy.ServeHTTP(sse.ProxyWriter(w, opts.StreamWriteTimeout), r)
		}))
		// "/beacons" and "/beacons/...", but not "/beaconsX".
		router.Handle(up.Prefix, h)
		router.PathPrefix(up.Prefix + "/").Handler(h)
	}
	return router
}
