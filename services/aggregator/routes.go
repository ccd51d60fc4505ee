package main

import (
	"context"
	_ "embed"
	"log/slog"
	"net/http"
	"time"

	"github.com/gorilla/mux"

	"github.com/find-peers/find-peers/libs/httpx"
)

// openAPI is the API description served at /openapi.yaml; embedding it
// keeps the document served in step with the binary (and a test checks it
// against the router).
//
//go:embed openapi.yaml
var openAPI []byte

// maxRequestBody is the request body limit: the aggregator only serves GETs,
// so any sizeable body is a mistake or an attack.
const maxRequestBody = 4 << 10

// options are the tunables of the aggregator's handlers (see main.go flags).
type options struct {
	Concurrency int // tracking calls in flight per request
	// RequestTimeout bounds a users-at-location request (httpx.WithTimeout;
	// the live stream is exempt); 0: none.
	RequestTimeout time.Duration
	Live           liveConfig
}

// routes wires the aggregator API beside the operational endpoints, in the
// shared middleware (httpx.Ops) and the request body limit.
func routes(up *Upstreams, opts options, ops httpx.Ops, logger *slog.Logger) http.Handler {
	return ops.Handler(newRouter(up, opts, ops), logger, httpx.LimitBody(maxRequestBody, "request body too large"))
}

// newRouter maps paths to handlers (the openapi.yaml test walks it); /readyz
// checks that both upstreams are alive.
func newRouter(up *Upstreams, opts options, ops httpx.Ops) *mux.Router {
	ops.OpenAPI = openAPI
	ops.Checks = append(ops.Checks,
		httpx.Check{Name: "beacon-service", Fn: func(ctx context.Context) error { return httpx.PingHealthz(ctx, up.HTTP.Do, up.Beacon) }},
		httpx.Check{Name: "tracking-service", Fn: func(ctx context.Context) error { return httpx.PingHealthz(ctx, up.HTTP.Do, up.Tracking) }},
	)
	router := ops.Router()
	// live is registered before {epochSeconds}, which would match it too.
	router.Handle("/aggregator/locations/{locationId}/live", handleLive(up, opts.Live, opts.Concurrency)).Methods(http.MethodGet)
	router.Handle("/aggregator/locations/{locationId}/{epochSeconds}", httpx.WithTimeout(opts.RequestTimeout, handleUsersAt(up, opts.Concurrency))).Methods(http.MethodGet)
	return router
}
