package servicelist

import (
	"os"
	"regexp"
	"slices"
	"testing"
)

// TestSameAsBazel checks that bazel/services.bzl's SERVICES names the same
// services, in the same order, as Names.
func TestSameAsBazel(t *testing.T) {
	// The test runs in its package directory, under `go test` and in
	// Bazel's runfiles tree (services.bzl is a data dependency there).
	data, err := os.ReadFile("../../bazel/services.bzl")
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile(`(?s)\nSERVICES = \{\n(.*?)\n\}\n`).FindSubmatch(data)
	if block == nil {
		t.Fatal("bazel/services.bzl has no SERVICES = {...} block")
	}
	var bzl []string
	for _, m := range regexp.MustCompile(`(?m)^    "([a-z]+)": \{`).FindAllSubmatch(block[1], -1) {
		bzl = append(bzl, string(m[1]))
	}
	if !slices.Equal(bzl, Names) {
		t.Fatalf("bazel/services.bzl SERVICES = %v, servicelist.Names = %v: keep them the same", bzl, Names)
	}
}
