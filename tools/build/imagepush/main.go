// Command imagepush pushes image indexes from OCI layouts to a registry:
//
//	bazel run //images:push [-- --registry HOST[:PORT][/PREFIX]] [--tag T]
//
// The registry comes from --registry, else IMAGE_REGISTRY, else
// localhost:5000. Every image NAME=LAYOUT is pushed as REGISTRY/find-peers/NAME
// with the tags "latest" and a stamp: --tag, else the short git commit of
// BUILD_WORKSPACE_DIRECTORY (set by `bazel run`), else "dev". Credentials come
// from the default keychain (~/.docker/config.json, credential helpers).
// Registries on localhost/127.0.0.1/[::1] are spoken to over plain HTTP.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strings"

	"github.com/find-peers/find-peers/libs/ociimage"
	"github.com/find-peers/find-peers/libs/rloc"
)

// DefaultRegistry is used when neither --registry nor IMAGE_REGISTRY is set.
const DefaultRegistry = "localhost:5000"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "imagepush:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("imagepush", flag.ContinueOnError)
	var images rloc.Named
	fs.Var(&images, "image", "NAME=LAYOUT: an OCI layout (runfile path) to push as find-peers/NAME (repeatable)")
	registry := fs.String("registry", "", "registry host[:port][/prefix] (default $IMAGE_REGISTRY, else "+DefaultRegistry+")")
	tag := fs.String("tag", "", "extra tag (default: short git commit of the workspace, else \"dev\")")
	repoPrefix := fs.String("repository-prefix", "find-peers", "repository prefix under the registry")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if len(images) == 0 {
		return errors.New("no --image given")
	}
	layouts, err := images.Resolve()
	if err != nil {
		return err
	}
	reg := Registry(*registry, os.Getenv("IMAGE_REGISTRY"))
	stamp := *tag
	if stamp == "" {
		stamp = GitStamp(os.Getenv("BUILD_WORKSPACE_DIRECTORY"))
	}
	tmp, err := os.MkdirTemp("", "imagepush-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	fmt.Fprintf(out, "pushing %d image(s) to %s with tags latest and %s\n", len(images), reg, stamp)
	for _, l := range layouts {
		n := l.Name
		// A runfiles tree presents the layout's blobs as symlinks.
		dir, err := ociimage.ResolveLayout(l.Path, tmp)
		if err != nil {
			return fmt.Errorf("%s: %w", n, err)
		}
		idx, err := ociimage.ReadLayoutIndex(dir)
		if err != nil {
			return fmt.Errorf("%s: %w", n, err)
		}
		repo := reg + "/" + strings.Trim(*repoPrefix, "/") + "/" + n
		if *repoPrefix == "" {
			repo = reg + "/" + n
		}
		d, err := ociimage.Push(ctx, idx, repo, []string{"latest", stamp}, out)
		if err != nil {
			return fmt.Errorf("%s: %w", n, err)
		}
		fmt.Fprintf(out, "%s@%s\n", repo, d)
	}
	return nil
}

// Registry picks the registry: flag, then env, then DefaultRegistry.
func Registry(flagValue, env string) string {
	for _, v := range []string{flagValue, env} {
		if v = strings.TrimSuffix(strings.TrimSpace(v), "/"); v != "" {
			return v
		}
	}
	return DefaultRegistry
}

// GitStamp is the short commit of the git checkout at dir, or "dev".
func GitStamp(dir string) string {
	if dir == "" {
		return "dev"
	}
	cmd := exec.Command("git", "-C", dir, "rev-parse", "--short", "HEAD")
	b, err := cmd.Output()
	if s := strings.TrimSpace(string(b)); err == nil && s != "" {
		return s
	}
	return "dev"
}
