package main

import (
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

// deps is what the routes are built from.
type deps struct {
	store        store
	events       *sse.Broker
	stream       streamConfig
	now          func() time.Time
	readyTimeout time.Duration
	// requestTimeout bounds each API request but the event stream
	// (httpx.WithTimeout); 0: none.
	requestTimeout time.Duration
	checks         []httpx.Check
}

// routes wires the tracking API and the operational endpoints, wrapped in
// the shared middleware: request ids outermost so every log line has one,
// panic recovery innermost so logs and metrics see the 500.
func routes(d deps, reg *prometheus.Registry, logger *slog.Logger) http.Handler {
	registerStreamMetrics(reg, d.events)
	router := newRouter(d, reg)
	metrics := httpx.NewMetrics(reg)
	return httpx.Chain(router, httpx.RequestID, httpx.AccessLog(logger), metrics.Middleware, httpx.Recover)
}

// newRouter maps paths to handlers (the openapi.yaml test walks it).
func newRouter(d deps, reg *prometheus.Registry) *mux.Router {
	if d.now == nil {
		d.now = time.Now
	}
	router := httpx.NewRouter()
	router.Handle("/tracking/beacons/{beaconId}/{epochSeconds}", httpx.WithTimeout(d.requestTimeout, sightingsInHour(d.store))).Methods(http.MethodGet)
	router.Handle("/tracking/sightings", httpx.WithTimeout(d.requestTimeout, recordSightings(d.store, d.events, d.now))).Methods(http.MethodPost)
	router.Handle("/tracking/events", sightingEvents(d.events, d.stream)).Methods(http.MethodGet)

	router.HandleFunc("/healthz", httpx.Healthz).Methods(http.MethodGet, http.MethodHead)
	router.Handle("/readyz", httpx.Readyz(d.readyTimeout, d.checks...)).Methods(http.MethodGet, http.MethodHead)
	router.Handle("/metrics", httpx.MetricsHandler(reg)).Methods(http.MethodGet)
	router.HandleFunc("/openapi.yaml", httpx.OpenAPI(openAPI)).Methods(http.MethodGet, http.MethodHead)
	return router
}

// registerStreamMetrics exposes the event broker's counters.
func registerStreamMetrics(reg prometheus.Registerer, b *sse.Broker) {
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "tracking_event_subscribers",
			Help: "Open /tracking/events streams.",
		}, func() float64 { return float64(b.Stats().Subscribers) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "tracking_events_published_total",
			Help: "Sightings published to event streams (counted only when some stream wanted them).",
		}, func() float64 { return float64(b.Stats().Published) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "tracking_event_subscribers_dropped_total",
			Help: "Event-stream subscribers dropped for falling behind.",
		}, func() float64 { return float64(b.Stats().Dropped) }),
	)
}
