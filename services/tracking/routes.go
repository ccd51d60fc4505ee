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
	store  store
	events *sse.Broker
	stream streamConfig
	now    func() time.Time
	// requestTimeout bounds each API request but the event stream
	// (httpx.WithTimeout); 0: none.
	requestTimeout time.Duration
}

// routes wires the tracking API beside the operational endpoints, in the
// shared middleware (httpx.Ops).
func routes(d deps, ops httpx.Ops, logger *slog.Logger) http.Handler {
	registerStreamMetrics(ops.Registry, d.events)
	return ops.Handler(newRouter(d, ops), logger)
}

// newRouter maps paths to handlers (the openapi.yaml test walks it).
func newRouter(d deps, ops httpx.Ops) *mux.Router {
	if d.now == nil {
		d.now = time.Now
	}
	ops.OpenAPI = openAPI
	router := ops.Router()
	router.Handle("/tracking/beacons/{beaconId}/{epochSeconds}", httpx.WithTimeout(d.requestTimeout, sightingsInHour(d.store))).Methods(http.MethodGet)
	router.Handle("/tracking/sightings", httpx.WithTimeout(d.requestTimeout, recordSightings(d.store, d.events, d.now))).Methods(http.MethodPost)
	router.Handle("/tracking/sightings", httpx.WithTimeout(d.requestTimeout, sightingsOfBeacons(d.store))).Methods(http.MethodGet)
	router.Handle("/tracking/events", sightingEvents(d.events, d.stream)).Methods(http.MethodGet)
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
