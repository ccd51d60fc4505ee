//go:build cosign

package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/find-peers/find-peers/libs/ociimage"
	"github.com/find-peers/find-peers/libs/ociimage/cosigntest"
)

// TestPushSigned: `--stamp --sign-key` signs the stamped, pushed digest, and
// what verifies is this build stamped with this commit.
func TestPushSigned(t *testing.T) {
	c := cosigntest.Cosign(t)
	key, pub := cosigntest.KeyPair(t, c)
	host := cosigntest.Registry(t)
	dir := testLayout(t)
	stampFile, head := sourceStamp(t)
	t.Setenv("COSIGN_PASSWORD", cosigntest.Password)
	var out bytes.Buffer
	sbom := filepath.Join(t.TempDir(), "svc.sbom.spdx.json")
	if err := os.WriteFile(sbom, []byte(`{"spdxVersion":"SPDX-2.3","name":"svc"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"--registry", host, "--stamp", "--source-stamp", stampFile, "--sign-key", key, "--cosign", c.Bin, "--image", "svc=" + dir, "--sbom", "svc=" + sbom}
	if err := run(context.Background(), args, &out); err != nil {
		t.Fatalf("push: %v\n%s", err, out.String())
	}
	t.Logf("push output:\n%s", out.String())
	repo := host + "/find-peers/svc"
	s, err := ociimage.VerifySigned(context.Background(), c, repo, "latest", pub)
	if err != nil {
		t.Fatalf("the signed push does not verify: %v", err)
	}
	if !strings.Contains(out.String(), s.Ref+": signed with "+key) {
		t.Errorf("output does not report signing %s", s.Ref)
	}
	if s.Stamp.Revision != head {
		t.Errorf("signed revision %q, want %s", s.Stamp.Revision, head)
	}
	local, err := ociimage.ReadLayoutIndex(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.MatchesIndex(local); err != nil {
		t.Errorf("the build does not match the signed push: %v", err)
	}
	if err := c.VerifySBOMAttestation(context.Background(), s.Ref, pub, []byte(`{"name":"svc","spdxVersion":"SPDX-2.3"}`)); err != nil {
		t.Errorf("the SBOM attestation: %v", err)
	}
}
