// Command resolve writes a kustomize overlay that runs the images Bazel
// built, each pinned by its digest in a registry, the way `ko resolve` does:
// never a tag in a cluster.
//
//	tools/bazel run //images:resolve -- --registry HOST:PORT [--overlay deploy/kubernetes/overlays/single]
//	    [--out deploy/kubernetes/resolved/single] [--cassandra REF@sha256:...]
//
// The service images' digests come from //images:<svc>.digest (the index
// that //images:push pushes, so the digest is the same in any registry).
// The Cassandra image is built outside Bazel (tools/cassandra-image): pass
// its pushed reference with --cassandra, or the overlay keeps the base's tag.
// Then: kubectl apply -k <out>.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/find-peers/find-peers/libs/rloc"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("resolve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var images rloc.Named
	fs.Var(&images, "image", "SERVICE=PATH of a digest file (repeated; the BUILD target passes all)")
	registry := fs.String("registry", os.Getenv("IMAGE_REGISTRY"), "registry the images were pushed to (default $IMAGE_REGISTRY)")
	overlay := fs.String("overlay", "deploy/kubernetes/overlays/single", "the overlay to pin, relative to the workspace")
	out := fs.String("out", "", "directory to write kustomization.yaml into (default deploy/kubernetes/resolved/<overlay name>)")
	cassandra := fs.String("cassandra", "", "the pushed Cassandra image, REF@sha256:...")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if err := resolve(images, *registry, *overlay, *out, *cassandra, stdout); err != nil {
		fmt.Fprintln(stderr, "resolve:", err)
		return 1
	}
	return 0
}

func resolve(images rloc.Named, registry, overlay, out, cassandra string, stdout io.Writer) error {
	if registry = strings.TrimSuffix(registry, "/"); registry == "" {
		return fmt.Errorf("--registry (or IMAGE_REGISTRY) is required: where //images:push put the images")
	}
	if len(images) == 0 {
		return fmt.Errorf("no --image: run it as `tools/bazel run //images:resolve`")
	}
	// `bazel run` starts in the runfiles; paths are the user's workspace's.
	if ws := os.Getenv("BUILD_WORKSPACE_DIRECTORY"); ws != "" {
		overlay = filepath.Join(ws, overlay)
		if out != "" && !filepath.IsAbs(out) {
			out = filepath.Join(ws, out)
		}
	}
	if out == "" {
		out = filepath.Join(filepath.Dir(filepath.Dir(overlay)), "resolved", filepath.Base(overlay))
	}
	files, err := images.Resolve()
	if err != nil {
		return err
	}
	var pins []pin
	for _, f := range files {
		d, err := readDigest(f.Path)
		if err != nil {
			return err
		}
		pins = append(pins, pin{Name: d.Name, NewName: registry + "/" + d.Name, Digest: d.IndexDigest})
	}
	if cassandra != "" {
		name, digest, err := parseRef(cassandra)
		if err != nil {
			return fmt.Errorf("--cassandra %w", err)
		}
		pins = append(pins, pin{Name: "find-peers/cassandra", NewName: name, Digest: digest})
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	base, err := relBase(overlay, out)
	if err != nil {
		return err
	}
	path := filepath.Join(out, "kustomization.yaml")
	if err := os.WriteFile(path, []byte(kustomization(base, pins)), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%d images by digest); apply: kubectl apply -k %s\n", path, len(pins), out)
	return nil
}
