package main

import (
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

// routes wires the beacon API beside the operational endpoints, in the
// shared middleware (httpx.Ops).
func routes(s store, ops httpx.Ops, requestTimeout time.Duration, logger *slog.Logger) http.Handler {
	return ops.Handler(newRouter(s, ops, requestTimeout), logger)
}

// newRouter maps paths to handlers (the openapi.yaml test walks it). Each
// API request is bounded by requestTimeout (httpx.WithTimeout; 0: none).
func newRouter(s store, ops httpx.Ops, requestTimeout time.Duration) *mux.Router {
	ops.OpenAPI = openAPI
	router := ops.Router()
	// Before /beacons/{beaconId}, which would take "locations" for an id.
	router.Handle("/beacons/locations", httpx.WithTimeout(requestTimeout, listLocations(s))).Methods(http.MethodGet)
	router.Handle("/beacons/locations/{locationId}", httpx.WithTimeout(requestTimeout, beaconsAt(s))).Methods(http.MethodGet)
	router.Handle("/beacons/{beaconId}", httpx.WithTimeout(requestTimeout, getBeacon(s))).Methods(http.MethodGet)
	router.Handle("/beacons", httpx.WithTimeout(requestTimeout, putBeacon(s))).Methods(http.MethodPost)
	return router
}
