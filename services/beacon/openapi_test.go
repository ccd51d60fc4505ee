package main

import (
	"testing"
	"time"

	"github.com/find-peers/find-peers/libs/httpx"
	"github.com/find-peers/find-peers/libs/httpx/httpxtest"
)

// TestOpenAPIDocumentsEveryRoute keeps openapi.yaml in step with the router:
// every route and method served must be described.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	httpxtest.CheckOpenAPIRoutes(t, openAPI, newRouter(newFakeStore(), httpx.NewRegistry(), time.Second))
}
