//go:build cosign

package ociimage_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/find-peers/find-peers/libs/ociimage/cosigntest"
)

// TestSBOMAttestation: an SBOM attested with the key verifies and equals the
// file; another SBOM, or another key, does not.
func TestSBOMAttestation(t *testing.T) {
	c := cosigntest.Cosign(t)
	key, pub := cosigntest.KeyPair(t, c)
	_, otherPub := cosigntest.KeyPair(t, c)
	repo := cosigntest.Registry(t) + "/find-peers/svc"
	d := pushSigned(t, c, cosigntest.Index(t, "app").Index, repo, key)
	ref := repo + "@" + d.String()
	sbom := []byte(`{"spdxVersion": "SPDX-2.3", "name": "svc", "packages": [{"name": "m", "versionInfo": "v1"}]}`)
	f := filepath.Join(t.TempDir(), "svc.spdx.json")
	if err := os.WriteFile(f, sbom, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := c.Attest(ctx, ref, key, f); err != nil {
		t.Fatal(err)
	}
	if err := c.VerifySBOMAttestation(ctx, ref, pub, sbom); err != nil {
		t.Fatalf("the attested SBOM does not verify: %v", err)
	}
	other := []byte(`{"spdxVersion": "SPDX-2.3", "name": "svc", "packages": []}`)
	if err := c.VerifySBOMAttestation(ctx, ref, pub, other); err == nil || !strings.Contains(err.Error(), "is the built SBOM") {
		t.Errorf("another SBOM: %v, want a mismatch", err)
	}
	if err := c.VerifySBOMAttestation(ctx, ref, otherPub, sbom); err == nil || !strings.Contains(err.Error(), "does not verify") {
		t.Errorf("another key: %v, want a failed verification", err)
	}
}
