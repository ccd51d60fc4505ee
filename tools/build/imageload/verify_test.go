//go:build cosign

package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/find-peers/find-peers/libs/ociimage"
	"github.com/find-peers/find-peers/libs/ociimage/cosigntest"
	"github.com/find-peers/find-peers/libs/rloc"
)

// TestVerifyBeforeLoad: a tarball of the build whose stamped index was
// signed and pushed passes; a tarball of another build, or of an image
// nobody signed, is refused, and then nothing is loaded.
func TestVerifyBeforeLoad(t *testing.T) {
	c := cosigntest.Cosign(t)
	key, pub := cosigntest.KeyPair(t, c)
	host := cosigntest.Registry(t)
	ctx := context.Background()
	dir := t.TempDir()
	stamp := ociimage.Stamp{Revision: "abc", Version: "v1", Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	tarballOf := func(n string, b *ociimage.Built) rloc.NamedPath {
		p := filepath.Join(dir, n+".tar")
		if err := ociimage.WriteTarball(p, "find-peers/"+n+":latest", b.Images[0]); err != nil {
			t.Fatal(err)
		}
		return rloc.NamedPath{Name: n, Path: p}
	}
	push := func(n string, b *ociimage.Built, sign bool) {
		idx, err := ociimage.StampIndex(b.Index, stamp)
		if err != nil {
			t.Fatal(err)
		}
		repo := host + "/find-peers/" + n
		d, err := ociimage.Push(ctx, idx, repo, []string{"latest"}, &bytes.Buffer{})
		if err != nil {
			t.Fatal(err)
		}
		if sign {
			if err := c.Sign(ctx, repo+"@"+d.String(), key); err != nil {
				t.Fatal(err)
			}
		}
	}
	good := cosigntest.Index(t, "good")
	push("good", good, true)
	push("other", cosigntest.Index(t, "pushed"), true)
	push("unsigned", good, false)
	v := verifier{registry: host, prefix: "find-peers", tag: "latest", key: pub, cosign: c}

	if ref, err := v.check(ctx, tarballOf("good", good)); err != nil || !strings.Contains(ref, "/find-peers/good@sha256:") {
		t.Fatalf("the signed build is refused: %q %v", ref, err)
	}
	local := cosigntest.Index(t, "local")
	if _, err := v.check(ctx, tarballOf("other", local)); err == nil || !strings.Contains(err.Error(), "has id") {
		t.Errorf("a tarball of another build: %v, want a different image id", err)
	}
	if _, err := v.check(ctx, tarballOf("unsigned", good)); err == nil || !strings.Contains(err.Error(), "signature does not verify") {
		t.Errorf("an unsigned push: %v, want a failed signature", err)
	}
	ok, err := v.checkAll(ctx, []rloc.NamedPath{tarballOf("good", good), tarballOf("unsigned", good)})
	if err == nil || ok != nil || !strings.Contains(err.Error(), "refusing to load: 1 image(s)") {
		t.Errorf("checkAll with one bad image: %q, %v", ok, err)
	}
}
