//go:build cosign

package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/partial"

	"github.com/find-peers/find-peers/libs/ociimage"
	"github.com/find-peers/find-peers/libs/ociimage/cosigntest"
)

// TestVerify: three images pushed, signed and given their SBOM; one is then
// replaced under its tag, another's SBOM differs from the built one. Verify
// passes the first and fails naming the other two.
func TestVerify(t *testing.T) {
	c := cosigntest.Cosign(t)
	key, pub := cosigntest.KeyPair(t, c)
	host := cosigntest.Registry(t)
	ctx := context.Background()
	dir := t.TempDir()
	args := []string{"--registry", host, "--key", pub, "--cosign", c.Bin}
	for _, n := range []string{"good", "swapped", "badsbom"} {
		b := cosigntest.Index(t, n)
		layout := filepath.Join(dir, n+".oci")
		if err := ociimage.WriteLayout(layout, b.Index, "latest"); err != nil {
			t.Fatal(err)
		}
		sbom := filepath.Join(dir, n+".spdx.json")
		if err := os.WriteFile(sbom, []byte(`{"name":"`+n+`"}`), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--image", n+"="+layout, "--sbom", n+"="+sbom)
		repo := host + "/find-peers/" + n
		d, err := ociimage.Push(ctx, b.Index, repo, []string{"latest"}, &bytes.Buffer{})
		if err != nil {
			t.Fatal(err)
		}
		desc, _ := partial.Descriptor(b.Index)
		doc := []byte(`{"name":"` + n + `"}`)
		if n == "badsbom" {
			doc = []byte(`{"name":"something else"}`)
		}
		if _, err := ociimage.AttachSBOM(ctx, repo, *desc, doc); err != nil {
			t.Fatal(err)
		}
		if err := c.Sign(ctx, repo+"@"+d.String(), key); err != nil {
			t.Fatal(err)
		}
		if err := c.Attest(ctx, repo+"@"+d.String(), key, sbom); err != nil {
			t.Fatal(err)
		}
		if n == "swapped" {
			if _, err := ociimage.Push(ctx, cosigntest.Index(t, "evil").Index, repo, []string{"latest"}, &bytes.Buffer{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, os.Getenv, &stdout, &stderr)
	t.Logf("stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	for _, want := range []string{"good: OK " + host + "/find-peers/good@sha256:", "swapped: FAILED", "signature does not verify", "badsbom: FAILED", "is the built SBOM", "2 image(s) failed verification: swapped, badsbom", "SBOM referrer and attestation"} {
		if !strings.Contains(stdout.String()+stderr.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
}
