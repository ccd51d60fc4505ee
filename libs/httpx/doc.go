// Package httpx is the HTTP plumbing shared by every find-peers service: JSON
// responses and errors, strict JSON request decoding, request ids (in and out),
// access logging, Prometheus metrics, health endpoints, panic recovery and a
// server that shuts down gracefully.
//
// A service typically builds its handler as
//
//	router := httpx.NewRouter()                  // JSON 404/405, route labels
//	router.Handle("/things/{id}", ...).Methods(http.MethodGet)
//	metrics := httpx.NewMetrics(reg)
//	h := httpx.Chain(router, httpx.RequestID, httpx.AccessLog(logger), metrics.Middleware, httpx.Recover)
//	err := httpx.Serve(ctx, cfg, h, logger)
//
// Middlewares are plain func(http.Handler) http.Handler so they compose with
// anything net/http-shaped.
package httpx
