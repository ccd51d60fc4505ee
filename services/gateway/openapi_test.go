package main

import (
	"strings"
	"testing"

	"github.com/find-peers/find-peers/libs/validate"
)

// TestOpenAPINamePattern keeps the documented name pattern equal to the one
// libs/validate.Name enforces (validate's tests check the two agree).
func TestOpenAPINamePattern(t *testing.T) {
	if got, want := strings.Count(string(openapiYAML), "pattern: '"+validate.NamePattern+"'"), 2; got != want {
		t.Errorf("openapi.yaml gives validate.NamePattern %d times, want %d", got, want)
	}
}

// TestOpenAPITimePattern keeps the documented timeLogged pattern equal to the
// one libs/validate.Time enforces (validate's tests check the two agree).
func TestOpenAPITimePattern(t *testing.T) {
	if got, want := strings.Count(string(openapiYAML), "pattern: '"+validate.TimePattern+"'"), 1; got != want {
		t.Errorf("openapi.yaml gives validate.TimePattern %d times, want %d", got, want)
	}
}
