package main

import (
	"testing"

	"github.com/find-peers/find-peers/libs/httpx"
	"github.com/find-peers/find-peers/libs/httpx/httpxtest"
	"github.com/find-peers/find-peers/libs/sse"
)

// TestOpenAPIDocumentsEveryRoute keeps openapi.yaml in step with the router:
// every route and method served must be described.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	httpxtest.CheckOpenAPIRoutes(t, openAPI, newRouter(deps{store: newFakeStore(), events: sse.NewBroker(1)}, httpx.NewRegistry()))
}
