package main

import (
	_ "embed"
	"log/slog"
	"net/http"
	"time"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/find-peers/find-peers/libs/httpx"
)

// openAPI is the API description served at /openapi.yaml; embedding it
// keeps the document served in step with the binary (and a test checks it
// against the router).
//
//go:embed openapi.yaml
var openAPI []byte

// limits are the time bounds of the routes.
type limits struct {
	ready   time.Duration // the whole /readyz check
	request time.Duration // each API request (httpx.WithTimeout); 0: none
}

// routes wires the beacon API and the operational endpoints, wrapped in the
// shared middleware: request ids outermost so every log line has one, panic
// recovery innermost so logs and metrics see the 500.
func routes(s store, reg *prometheus.Registry, logger *slog.Logger, l limits, checks ...httpx.Check) http.Handler {
	router := newRouter(s, reg, l, checks...)
	metrics := httpx.NewMetrics(reg)
	return httpx.Chain(router, httpx.RequestID, httpx.AccessLog(logger), metrics.Middleware, httpx.Recover)
}

// newRouter maps paths to handlers (the openapi.yaml test walks it).
func newRouter(s store, reg *prometheus.Registry, l limits, checks ...httpx.Check) *mux.Router {
	router := httpx.NewRouter()
	router.Handle("/beacons/locations/{locationId}", httpx.WithTimeout(l.request, beaconsAt(s))).Methods(http.MethodGet)
	router.Handle("/beacons/{beaconId}", httpx.WithTimeout(l.request, getBeacon(s))).Methods(http.MethodGet)
	router.Handle("/beacons", httpx.WithTimeout(l.request, putBeacon(s))).Methods(http.MethodPost)

	router.HandleFunc("/healthz", httpx.Healthz).Methods(http.MethodGet, http.MethodHead)
	router.Handle("/readyz", httpx.Readyz(l.ready, checks...)).Methods(http.MethodGet, http.MethodHead)
	router.Handle("/metrics", httpx.MetricsHandler(reg)).Methods(http.MethodGet)
	router.HandleFunc("/openapi.yaml", httpx.OpenAPI(openAPI)).Methods(http.MethodGet, http.MethodHead)
	return router
}
