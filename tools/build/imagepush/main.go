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
	"net"
	"os"
	"os/exec"
	"os/signal"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

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
		d, err := Push(ctx, idx, repo, []string{"latest", stamp}, out)
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

// IsLocal reports whether the registry host is this machine, which gets
// plain HTTP.
func IsLocal(registryHost string) bool {
	h := registryHost
	if i := strings.Index(h, "/"); i >= 0 {
		h = h[:i]
	}
	if host, _, err := net.SplitHostPort(h); err == nil {
		h = host
	}
	h = strings.Trim(h, "[]")
	return h == "localhost" || h == "127.0.0.1" || h == "::1"
}

// Push writes idx to repo under every tag and returns the index digest.
func Push(ctx context.Context, idx v1.ImageIndex, repo string, tags []string, out io.Writer) (v1.Hash, error) {
	var opts []name.Option
	if IsLocal(repo) {
		opts = append(opts, name.Insecure)
	}
	d, err := idx.Digest()
	if err != nil {
		return v1.Hash{}, err
	}
	ropts := []remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(authn.DefaultKeychain)}
	seen := map[string]bool{}
	for i, t := range tags {
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		ref, err := name.NewTag(repo+":"+t, opts...)
		if err != nil {
			return v1.Hash{}, err
		}
		if i == 0 {
			// The first tag uploads the blobs; the others only add a tag.
			fmt.Fprintf(out, "  %s: uploading index %s ...\n", ref, d)
			if err := remote.WriteIndex(ref, idx, ropts...); err != nil {
				return v1.Hash{}, err
			}
			continue
		}
		fmt.Fprintf(out, "  %s: tagging\n", ref)
		if err := remote.Tag(ref, idx, ropts...); err != nil {
			return v1.Hash{}, err
		}
	}
	return d, nil
}
