// Package cosigntest gives tests the real cosign binary, a fresh key pair
// and an in-process registry on 127.0.0.1. Tests using it carry the build
// tag "cosign" (tools/sign-check runs them): Bazel's sandboxed tests have no
// cosign binary, and a test that needs it must fail, not skip, without it.
package cosigntest

import (
	"context"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/find-peers/find-peers/libs/ociimage"
)

// Password is the test keys' password (COSIGN_PASSWORD).
const Password = "test-password"

// Cosign is $COSIGN_BIN, with the test password in its environment. It fails
// the test when COSIGN_BIN is unset or not a file.
func Cosign(t testing.TB) ociimage.Cosign {
	t.Helper()
	c, err := ociimage.CosignFromEnv("", os.Getenv)
	if err != nil {
		t.Fatalf("these tests need the cosign binary: COSIGN_BIN=\"$(tools/cosign --install-only)\" (tools/sign-check sets it): %v", err)
	}
	// A private TUF cache and home: verification with a key never needs
	// sigstore's public roots, and the test must not touch the user's.
	home := t.TempDir()
	c.Env = []string{"COSIGN_PASSWORD=" + Password, "HOME=" + home, "TUF_ROOT=" + filepath.Join(home, "tuf")}
	return c
}

// KeyPair writes a new cosign.key/cosign.pub into a temp dir and returns
// their paths.
func KeyPair(t testing.TB, c ociimage.Cosign) (key, pub string) {
	t.Helper()
	dir := t.TempDir()
	if err := c.GenerateKeyPair(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "cosign.key"), filepath.Join(dir, "cosign.pub")
}

// Registry starts ggcr's in-process registry (with the OCI 1.1 referrers
// API) on 127.0.0.1 and returns its host:port, a local registry for
// ociimage (plain HTTP).
func Registry(t testing.TB) string {
	t.Helper()
	srv := httptest.NewServer(registry.New(registry.WithReferrersSupport(true), registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// Index builds a small two-platform image index like the services' (binary
// is the fake /app's content, so different strings give different images).
func Index(t testing.TB, binary string) *ociimage.Built {
	t.Helper()
	dir := t.TempDir()
	var bins []ociimage.Binary
	for _, arch := range []string{"amd64", "arm64"} {
		p := filepath.Join(dir, arch)
		if err := os.WriteFile(p, []byte(binary+" for "+arch), 0o755); err != nil {
			t.Fatal(err)
		}
		bins = append(bins, ociimage.Binary{Platform: v1.Platform{OS: "linux", Architecture: arch}, Path: p})
	}
	b, err := ociimage.Build(ociimage.Spec{Name: "find-peers/test", Binaries: bins, Ports: []string{"9000"}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}
