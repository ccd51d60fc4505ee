package ociimage

import (
	"bytes"
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Signed is a pushed index whose signature verified.
type Signed struct {
	Ref    string // repo@digest that was verified
	Digest v1.Hash
	Index  v1.ImageIndex // as the registry serves it
	Stamp  Stamp         // read back from the index's annotations
}

// VerifySigned resolves repo:tag to a digest once, then has cosign verify
// the signature of that digest with the public key pub: a tag moved to
// another image after signing, a signature by another key or an altered
// signature all fail here.
func VerifySigned(ctx context.Context, c Cosign, repo, tag, pub string) (*Signed, error) {
	t, err := name.NewTag(repo+":"+tag, nameOptions(repo)...)
	if err != nil {
		return nil, err
	}
	opts := remoteOptions(ctx)
	desc, err := remote.Head(t, opts...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t, err)
	}
	ref := t.Context().Digest(desc.Digest.String())
	if _, err := c.Verify(ctx, ref.String(), pub); err != nil {
		return nil, fmt.Errorf("%s: signature does not verify: %w", ref, err)
	}
	idx, err := remote.Index(ref, opts...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ref, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	s, err := StampFromAnnotations(im.Annotations)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ref, err)
	}
	return &Signed{Ref: ref.String(), Digest: desc.Digest, Index: idx, Stamp: s}, nil
}

// MatchesIndex checks that the signed index is exactly local (a build's
// index), stamped as the push stamped it: the signature then vouches for the
// bytes built here, not just for something in the registry.
func (s *Signed) MatchesIndex(local v1.ImageIndex) error {
	want := local
	if !s.Stamp.IsZero() {
		var err error
		if want, err = StampIndex(local, s.Stamp); err != nil {
			return err
		}
	}
	d, err := want.Digest()
	if err != nil {
		return err
	}
	if d != s.Digest {
		return fmt.Errorf("%s is not this build (the build, stamped as pushed, is %s)", s.Ref, d)
	}
	return nil
}

// MatchesImage checks that one local image (e.g. a `podman load` tarball,
// whose manifest differs from the registry's in media types) has the same
// config, stamped as pushed, as the signed index's image for its platform.
// The config names every layer by its uncompressed digest (rootfs.diff_ids),
// so an equal config digest (the image id) means equal contents.
func (s *Signed) MatchesImage(local v1.Image) error {
	if !s.Stamp.IsZero() {
		var err error
		if local, err = StampImage(local, s.Stamp); err != nil {
			return err
		}
	}
	cf, err := local.ConfigFile()
	if err != nil {
		return err
	}
	id, err := local.ConfigName()
	if err != nil {
		return err
	}
	im, err := s.Index.IndexManifest()
	if err != nil {
		return err
	}
	for _, d := range im.Manifests {
		if d.Platform == nil || d.Platform.OS != cf.OS || d.Platform.Architecture != cf.Architecture || d.Platform.Variant != cf.Variant {
			continue
		}
		img, err := s.Index.Image(d.Digest)
		if err != nil {
			return err
		}
		got, err := img.ConfigName()
		if err != nil {
			return err
		}
		if got != id {
			return fmt.Errorf("%s: the %s image has id %s, the local one (stamped as pushed) %s", s.Ref, d.Platform, got, id)
		}
		return nil
	}
	return fmt.Errorf("%s has no image for %s/%s", s.Ref, cf.OS, cf.Architecture)
}

// HasSBOM checks that the signed index has an SPDX referrer equal to sbom.
func (s *Signed) HasSBOM(ctx context.Context, repo string, sbom []byte) error {
	docs, err := SBOMs(ctx, repo, s.Digest)
	if err != nil {
		return err
	}
	for _, d := range docs {
		if bytes.Equal(d, sbom) {
			return nil
		}
	}
	return fmt.Errorf("%s: none of its %d SBOM referrer(s) is the built SBOM", s.Ref, len(docs))
}
