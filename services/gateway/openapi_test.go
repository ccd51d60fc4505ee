package main

import (
	"testing"

	"github.com/find-peers/find-peers/libs/httpx/httpxtest"
	"github.com/find-peers/find-peers/libs/validate"
)

// TestOpenAPINamePattern keeps the documented name pattern equal to the one
// libs/validate.Name enforces (validate's tests check the two agree).
func TestOpenAPINamePattern(t *testing.T) {
	httpxtest.CheckOpenAPIPattern(t, openapiYAML, "validate.NamePattern", validate.NamePattern, 2)
}

// TestOpenAPITimePattern keeps the documented timeLogged pattern equal to the
// one libs/validate.Time enforces (validate's tests check the two agree).
func TestOpenAPITimePattern(t *testing.T) {
	httpxtest.CheckOpenAPIPattern(t, openapiYAML, "validate.TimePattern", validate.TimePattern, 1)
}
