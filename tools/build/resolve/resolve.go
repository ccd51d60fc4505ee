package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// digestFile is what images/image.bzl writes next to each image (<svc>.digest).
type digestFile struct {
	Name        string `json:"name"`        // "find-peers/beacon"
	IndexDigest string `json:"indexDigest"` // the multi-platform index //images:push pushes
}

var digestRE = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// readDigest reads and checks one digest file.
func readDigest(path string) (digestFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return digestFile{}, err
	}
	var d digestFile
	if err := json.Unmarshal(b, &d); err != nil {
		return digestFile{}, fmt.Errorf("%s: %w", path, err)
	}
	if d.Name == "" || !digestRE.MatchString(d.IndexDigest) {
		return digestFile{}, fmt.Errorf("%s: want a name and a sha256 index digest, got %q and %q", path, d.Name, d.IndexDigest)
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

// parseRef splits "registry/name@sha256:..." into its name and digest.
func parseRef(ref string) (name, digest string, err error) {
	name, digest, ok := strings.Cut(ref, "@")
	if !ok || name == "" || !digestRE.MatchString(digest) {
		return "", "", fmt.Errorf("%q: want NAME@sha256:<64 hex digits>", ref)
	}
	return name, digest, nil
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
