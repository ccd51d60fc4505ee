package main

import (
	"testing"
	"time"

	"github.com/find-peers/find-peers/libs/httpx/httpxtest"
	"github.com/find-peers/find-peers/libs/validate"
)

// TestOpenAPIDocumentsEveryRoute keeps openapi.yaml in step with the router:
// every route and method served must be described.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	httpxtest.CheckOpenAPIRoutes(t, openAPI, newRouter(newFakeStore(), httpxtest.Ops(), time.Second))
}

// TestOpenAPINamePattern keeps the documented name pattern equal to the one
// libs/validate.Name enforces (validate's tests check the two agree).
func TestOpenAPINamePattern(t *testing.T) {
	httpxtest.CheckOpenAPIPattern(t, openAPI, "validate.NamePattern", validate.NamePattern, 1)
}
