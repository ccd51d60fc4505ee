//go:build cosign

package ociimage_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/find-peers/find-peers/libs/ociimage"
	"github.com/find-peers/find-peers/libs/ociimage/cosigntest"
)

// pushSigned pushes idx to repo:latest and signs its digest with key.
func pushSigned(t *testing.T, c ociimage.Cosign, idx v1.ImageIndex, repo, key string) v1.Hash {
	t.Helper()
	ctx := context.Background()
	d, err := ociimage.Push(ctx, idx, repo, []string{"latest"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Sign(ctx, repo+"@"+d.String(), key); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestSignedImageVerifies: a signed push verifies and matches its build; a
// different build does not match it.
func TestSignedImageVerifies(t *testing.T) {
	c := cosigntest.Cosign(t)
	key, pub := cosigntest.KeyPair(t, c)
	repo := cosigntest.Registry(t) + "/find-peers/svc"
	b := cosigntest.Index(t, "app")
	d := pushSigned(t, c, b.Index, repo, key)
	s, err := ociimage.VerifySigned(context.Background(), c, repo, "latest", pub)
	if err != nil {
		t.Fatalf("a signed image does not verify: %v", err)
	}
	if s.Digest != d || !s.Stamp.IsZero() {
		t.Errorf("verified %s (stamp %+v), pushed %s unstamped", s.Digest, s.Stamp, d)
	}
	if err := s.MatchesIndex(b.Index); err != nil {
		t.Errorf("the build does not match its signed push: %v", err)
	}
	if err := s.MatchesImage(b.Images[0]); err != nil {
		t.Errorf("the build's %s image does not match: %v", b.Platforms[0], err)
	}
	other := cosigntest.Index(t, "other app")
	if err := s.MatchesIndex(other.Index); err == nil {
		t.Error("another build matches the signed push")
	}
	if err := s.MatchesImage(other.Images[0]); err == nil {
		t.Error("another build's image matches the signed push")
	}
}

// TestTamperedImageFails: each way of faking a signed image fails.
func TestTamperedImageFails(t *testing.T) {
	c := cosigntest.Cosign(t)
	key, pub := cosigntest.KeyPair(t, c)
	otherKey, _ := cosigntest.KeyPair(t, c)
	host := cosigntest.Registry(t)
	ctx := context.Background()

	// (a) another image pushed under the signed tag.
	a := host + "/find-peers/a"
	pushSigned(t, c, cosigntest.Index(t, "app").Index, a, key)
	if _, err := ociimage.Push(ctx, cosigntest.Index(t, "evil").Index, a, []string{"latest"}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	wantFail(t, "another image under the signed tag", c, a, pub)

	// (b) signed with another key.
	bRepo := host + "/find-peers/b"
	pushSigned(t, c, cosigntest.Index(t, "app").Index, bRepo, otherKey)
	wantFail(t, "a signature by another key", c, bRepo, pub)

	// (c) the signature manifest's payload altered (the signature kept).
	cRepo := host + "/find-peers/c"
	d := pushSigned(t, c, cosigntest.Index(t, "app").Index, cRepo, key)
	if _, err := ociimage.VerifySigned(ctx, c, cRepo, "latest", pub); err != nil {
		t.Fatalf("before tampering: %v", err)
	}
	alterSignaturePayload(t, cRepo, d)
	wantFail(t, "an altered signature payload", c, cRepo, pub)

	// (d) no signature at all.
	dRepo := host + "/find-peers/d"
	if _, err := ociimage.Push(ctx, cosigntest.Index(t, "app").Index, dRepo, []string{"latest"}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	wantFail(t, "an unsigned image", c, dRepo, pub)
}

func wantFail(t *testing.T, what string, c ociimage.Cosign, repo, pub string) {
	t.Helper()
	_, err := ociimage.VerifySigned(context.Background(), c, repo, "latest", pub)
	if err == nil {
		t.Errorf("%s: verification passed", what)
		return
	}
	if !strings.Contains(err.Error(), "signature does not verify") {
		t.Errorf("%s: failed for another reason: %v", what, err)
	}
	t.Logf("%s: refused: %v", what, err)
}

// alterSignaturePayload rewrites cosign's signature manifest for digest d
// (tag sha256-<hex>.sig) so that its payload layer says something else
// (another image digest) while keeping the signature annotation.
func alterSignaturePayload(t *testing.T, repo string, d v1.Hash) {
	t.Helper()
	tag, err := name.NewTag(repo+":sha256-"+d.Hex+".sig", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := remote.Image(tag)
	if err != nil {
		t.Fatalf("no signature manifest: %v", err)
	}
	raw, _ := sig.RawManifest()
	var mf v1.Manifest
	if err := json.Unmarshal(raw, &mf); err != nil || len(mf.Layers) != 1 {
		t.Fatalf("signature manifest %s: %v", raw, err)
	}
	ls, _ := sig.Layers()
	payload, err := ls[0].Compressed()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	buf.ReadFrom(payload)
	payload.Close()
	forged := strings.Replace(buf.String(), d.Hex, strings.Repeat("0", 64), 1)
	if forged == buf.String() {
		t.Fatalf("payload does not name the digest: %s", buf.String())
	}
	l := static.NewLayer([]byte(forged), mf.Layers[0].MediaType)
	if err := remote.WriteLayer(tag.Context(), l); err != nil {
		t.Fatal(err)
	}
	mf.Layers[0].Digest, _ = l.Digest()
	mf.Layers[0].Size, _ = l.Size()
	b, _ := json.Marshal(mf)
	if err := remote.Put(tag, rawManifest{b, mf.MediaType}); err != nil {
		t.Fatal(err)
	}
}

type rawManifest struct {
	b  []byte
	mt types.MediaType
}

func (r rawManifest) RawManifest() ([]byte, error)        { return r.b, nil }
func (r rawManifest) MediaType() (types.MediaType, error) { return r.mt, nil }
