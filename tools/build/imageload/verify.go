package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/find-peers/find-peers/libs/ociimage"
	"github.com/find-peers/find-peers/libs/rloc"
)

// verifier refuses tarballs whose image is not the one signed in a registry.
//
// What this proves: the image loaded from the local tarball has the same
// config digest (image id; the config lists every layer's content digest),
// once stamped as the push stamped it, as the image for its platform in the
// index REGISTRY/PREFIX/NAME:TAG resolves to, and that index's signature
// verifies with the public key. So what runs locally is what was signed.
// It does not prove who built the tarball: a tarball matching a signed image
// is that image, whoever built it.
type verifier struct {
	registry, prefix, tag, key string
	cosign                     ociimage.Cosign
}

// check verifies one tarball (NAME=PATH) against its signed, pushed image.
func (v verifier) check(ctx context.Context, t rloc.NamedPath) (string, error) {
	img, err := tarball.ImageFromPath(t.Path, nil)
	if err != nil {
		return "", err
	}
	repo := strings.TrimSuffix(v.registry, "/") + "/" + t.Name
	if p := strings.Trim(v.prefix, "/"); p != "" {
		repo = strings.TrimSuffix(v.registry, "/") + "/" + p + "/" + t.Name
	}
	s, err := ociimage.VerifySigned(ctx, v.cosign, repo, v.tag, v.key)
	if err != nil {
		return "", err
	}
	if err := s.MatchesImage(img); err != nil {
		return "", err
	}
	return s.Ref, nil
}

// checkAll verifies every tarball before any is loaded: one bad image
// refuses the whole load, so the engine never holds a mix.
func (v verifier) checkAll(ctx context.Context, ts []rloc.NamedPath) ([]string, error) {
	var refs, bad []string
	for _, t := range ts {
		ref, err := v.check(ctx, t)
		if err != nil {
			bad = append(bad, fmt.Sprintf("%s: %v", t.Name, err))
			continue
		}
		refs = append(refs, t.Name+": signature verified, same image as "+ref)
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("refusing to load: %d image(s) failed verification:\n  %s", len(bad), strings.Join(bad, "\n  "))
	}
	return refs, nil
}

// userPath resolves a path given to `bazel run` against the user's working
// directory (the binary itself runs in its runfiles tree).
func userPath(p string, getenv func(string) string) string {
	if wd := getenv("BUILD_WORKING_DIRECTORY"); p != "" && !filepath.IsAbs(p) && wd != "" {
		return filepath.Join(wd, p)
	}
	return p
}
