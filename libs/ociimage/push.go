package ociimage

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Pushable is what Push writes: a v1.Image or a v1.ImageIndex.
type Pushable interface {
	remote.Taggable
	Digest() (v1.Hash, error)
}

// IsLocalRegistry reports whether a registry host (host[:port][/path]) is
// this machine, which is spoken to over plain HTTP.
func IsLocalRegistry(registryHost string) bool {
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

// Push writes t, with every blob it needs, to repo under each tag (the
// first uploads, the others only tag) and returns its digest. Credentials
// come from the default keychain; local registries get plain HTTP.
func Push(ctx context.Context, t Pushable, repo string, tags []string, out io.Writer) (v1.Hash, error) {
	var opts []name.Option
	if IsLocalRegistry(repo) {
		opts = append(opts, name.Insecure)
	}
	d, err := t.Digest()
	if err != nil {
		return v1.Hash{}, err
	}
	ropts := []remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(authn.DefaultKeychain)}
	seen := map[string]bool{}
	for _, tag := range tags {
		if tag == "" || seen[tag] {
			continue
		}
		ref, err := name.NewTag(repo+":"+tag, opts...)
		if err != nil {
			return v1.Hash{}, err
		}
		if len(seen) == 0 {
			fmt.Fprintf(out, "  %s: uploading %s ...\n", ref, d)
			err = remote.Push(ref, t, ropts...)
		} else {
			fmt.Fprintf(out, "  %s: tagging\n", ref)
			err = remote.Tag(ref, t, ropts...)
		}
		if err != nil {
			return v1.Hash{}, err
		}
		seen[tag] = true
	}
	return d, nil
}
