package main

import (
	"net/url"
	"testing"

	"github.com/find-peers/find-peers/libs/httpx"
	"github.com/find-peers/find-peers/libs/httpx/httpxtest"
)

// TestOpenAPIDocumentsEveryRoute keeps openapi.yaml in step with the router:
// every route and method served must be described.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	base, _ := url.Parse("http://127.0.0.1:1")
	up := &Upstreams{Beacon: base, Tracking: base, HTTP: httpx.NewClient(0)}
	httpxtest.CheckOpenAPIRoutes(t, openAPI, newRouter(up, testOptions(), httpxtest.Ops()))
}
