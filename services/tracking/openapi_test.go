package main

import (
	"testing"

	"github.com/find-peers/find-peers/libs/httpx/httpxtest"
	"github.com/find-peers/find-peers/libs/sse"
	"github.com/find-peers/find-peers/libs/validate"
)

// TestOpenAPIDocumentsEveryRoute keeps openapi.yaml in step with the router:
// every route and method served must be described.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	httpxtest.CheckOpenAPIRoutes(t, openAPI, newRouter(deps{store: newFakeStore(), events: sse.NewBroker(1)}, httpxtest.Ops()))
}

// TestOpenAPINamePattern keeps the documented name pattern equal to the one
// libs/validate.Name enforces (validate's tests check the two agree).
func TestOpenAPINamePattern(t *testing.T) {
	httpxtest.CheckOpenAPIPattern(t, openAPI, "validate.NamePattern", validate.NamePattern, 1)
}

// TestOpenAPITimePattern keeps the documented timeLogged pattern equal to the
// one libs/validate.Time enforces (validate's tests check the two agree).
func TestOpenAPITimePattern(t *testing.T) {
	httpxtest.CheckOpenAPIPattern(t, openAPI, "validate.TimePattern", validate.TimePattern, 1)
}

// TestOpenAPIBeaconLimit keeps the documented bound of GET
// /tracking/sightings?beaconId= equal to the one the handler enforces (and
// the aggregator chunks by).
func TestOpenAPIBeaconLimit(t *testing.T) {
	httpxtest.CheckOpenAPIParameterLimit(t, openAPI, "sightingsOfBeacons", "beaconId", "maxItems", maxQueryBeacons)
}
