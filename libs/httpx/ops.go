package httpx

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"
)

// Ops are the operational endpoints every service serves beside its API,
// and the one middleware chain around both: a service builds its router
// with Router, adds its API routes, and serves Handler(router).
type Ops struct {
	// OpenAPI is the service's OpenAPI document, served at /openapi.yaml.
	OpenAPI []byte
	// Registry is served at /metrics; the metrics middleware and the
	// service's own collectors register with it (NewRegistry).
	Registry *prometheus.Registry
	// ReadyTimeout bounds the whole /readyz check, which runs Checks.
	ReadyTimeout time.Duration
	Checks       []Check
}

// Router returns NewRouter with /healthz, /readyz, /metrics and
// /openapi.yaml mounted; the service adds its API routes to it.
func (o Ops) Router() *mux.Router {
	router := NewRouter()
	router.HandleFunc("/healthz", Healthz).Methods(http.MethodGet, http.MethodHead)
	router.Handle("/readyz", Readyz(o.ReadyTimeout, o.Checks...)).Methods(http.MethodGet, http.MethodHead)
	router.Handle("/metrics", MetricsHandler(o.Registry)).Methods(http.MethodGet)
	router.HandleFunc("/openapi.yaml", OpenAPI(o.OpenAPI)).Methods(http.MethodGet, http.MethodHead)
	return router
}

// Handler wraps router in the shared middleware: the trace span outermost so
// it covers everything, request ids so every log line has one, then the
// access log and the metrics, and panic recovery inside them so they see the
// 500. inner (e.g. LimitBody) run inside the recovery, in the order given.
func (o Ops) Handler(router http.Handler, logger *slog.Logger, inner ...func(http.Handler) http.Handler) http.Handler {
	metrics := NewMetrics(o.Registry)
	chain := append([]func(http.Handler) http.Handler{Trace, RequestID, AccessLog(logger), metrics.Middleware, Recover}, inner...)
	return Chain(router, chain...)
}
