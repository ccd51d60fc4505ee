package main

import (
	"log/slog"
	"net/url"
	"testing"

	"github.com/find-peers/find-peers/libs/httpx/httpxtest"
	"github.com/find-peers/find-peers/libs/validate"
)

// TestOpenAPINamePattern keeps the documented name pattern equal to the one
// libs/validate.Name enforces (validate's tests check the two agree).
func TestOpenAPINamePattern(t *testing.T) {
	httpxtest.CheckOpenAPIPattern(t, openAPI, "validate.NamePattern", validate.NamePattern, 2)
}

// TestOpenAPITimePattern keeps the documented timeLogged pattern equal to the
// one libs/validate.Time enforces (validate's tests check the two agree).
func TestOpenAPITimePattern(t *testing.T) {
	httpxtest.CheckOpenAPIPattern(t, openAPI, "validate.TimePattern", validate.TimePattern, 1)
}

// TestOpenAPIDocumentsEveryRoute keeps openapi.yaml in step with the router:
// every route and method the gateway serves itself must be described (the
// proxied prefixes forward any method; their paths are the upstreams').
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	base, _ := url.Parse("http://127.0.0.1:1")
	ups := []upstream{
		{Name: "beacon-service", Prefix: "/beacons", URL: base},
		{Name: "tracking-service", Prefix: "/tracking", URL: base},
		{Name: "aggregator-service", Prefix: "/aggregator", URL: base},
	}
	httpxtest.CheckOpenAPIRoutes(t, openAPI, newRouter(ups, testOptions(), httpxtest.Ops(), slog.New(slog.DiscardHandler)))
}
