package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/find-peers/find-peers/libs/ociimage"
)

// readDigest reads and checks one image's digest file (<svc>.digest, which
// the image builder writes): its name and the digest of the multi-platform
// index that //images:push pushes.
func readDigest(path string) (ociimage.Summary, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return ociimage.Summary{}, err
	}
	var d ociimage.Summary
	if err := json.Unmarshal(b, &d); err != nil {
		return ociimage.Summary{}, fmt.Errorf("%s: %w", path, err)
	}
	if _, err := v1.NewHash(d.IndexDigest); d.Name == "" || err != nil {
		return ociimage.Summary{}, fmt.Errorf("%s: want a name and a sha256 index digest, got %q and %q", path, d.Name, d.IndexDigest)
	}
	return d, nil
}

// pin is one kustomize `images:` entry: the base's image name, rewritten to
// the registry's, pinned by digest.
type pin struct{ Name, NewName, Digest string }

// kustomization renders the overlay that pins every image: base is the
// overlay to build on, relative to the output directory.
func kustomization(base string, pins []pin) string {
	slices.SortFunc(pins, func(a, b pin) int { return strings.Compare(a.Name, b.Name) })
	var b strings.Builder
	b.WriteString("# Written by `tools/bazel run //images:resolve`: the overlay below with every\n")
	b.WriteString("# image pinned by the digest Bazel built (push them first: //images:push).\n")
	b.WriteString("# Do not edit; run it again.\n")
	b.WriteString("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n")
	fmt.Fprintf(&b, "resources:\n  - %s\nimages:\n", base)
	for _, p := range pins {
		fmt.Fprintf(&b, "  - name: %s\n    newName: %s\n    digest: %s\n", p.Name, p.NewName, p.Digest)
	}
	return b.String()
}

// parseRef splits "registry/name@sha256:..." into its name, as written, and
// its digest.
func parseRef(ref string) (repo, digest string, err error) {
	d, err := name.NewDigest(ref, name.StrictValidation)
	if err != nil {
		return "", "", fmt.Errorf("%q: want NAME@sha256:<64 hex digits>: %w", ref, err)
	}
	repo, _, _ = strings.Cut(ref, "@")
	return repo, d.DigestStr(), nil
}

// relBase is the overlay directory as a path relative to out, the way
// kustomize wants resources.
func relBase(overlay, out string) (string, error) {
	absO, err := filepath.Abs(overlay)
	if err != nil {
		return "", err
	}
	absOut, err := filepath.Abs(out)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(absO, "kustomization.yaml")); err != nil {
		return "", fmt.Errorf("overlay %s: %w", overlay, err)
	}
	return filepath.Rel(absOut, absO)
}
