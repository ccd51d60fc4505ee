// Package httpx is the HTTP plumbing shared by every find-peers service: JSON
// responses and errors, strict JSON request decoding, request ids (in and out),
// access logging, Prometheus metrics, health endpoints, panic recovery and a
// server that shuts down gracefully and retires old keep-alive connections
// (so load spreads onto new replicas).
//
// A service builds its handler as
//
//	ops := httpx.Ops{OpenAPI: doc, Registry: reg, ReadyTimeout: t, Checks: checks}
//	router := ops.Router() // JSON 404/405, route labels, /healthz /readyz /metrics /openapi.yaml
//	router.Handle("/things/{id}", ...).Methods(http.MethodGet)
//	err := httpx.Serve(ctx, cfg, ops.Handler(router, logger), logger)
//
// Middlewares are plain func(http.Handler) http.Handler so they compose with
// anything net/http-shaped.
package httpx
