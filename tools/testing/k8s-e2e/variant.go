package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/find-peers/find-peers/libs/ociimage"
)

// newDigest makes a new image from a running one for a rolling update: the
// same layers with one more label, so a new digest, pushed next to it with
// the tag given. It returns the new reference by digest.
func newDigest(ctx context.Context, ref, tag, label string) (string, error) {
	repo, _, ok := strings.Cut(ref, "@")
	if !ok {
		return "", fmt.Errorf("%s is not a reference by digest", ref)
	}
	src, err := name.NewDigest(ref, name.Insecure)
	if err != nil {
		return "", err
	}
	idx, err := remote.Index(src, remote.WithContext(ctx))
	if err != nil {
		return "", err
	}
	// The index holds one image per platform; relabel each.
	im, err := idx.IndexManifest()
	if err != nil {
		return "", err
	}
	out := idx
	for _, d := range im.Manifests {
		img, err := idx.Image(d.Digest)
		if err != nil {
			return "", err
		}
		cf, err := img.ConfigFile()
		if err != nil {
			return "", err
		}
		cfg := cf.Config
		cfg.Labels = map[string]string{}
		for k, v := range cf.Config.Labels {
			cfg.Labels[k] = v
		}
		cfg.Labels["org.find-peers.e2e.rollout"] = label
		changed, err := mutate.Config(img, cfg)
		if err != nil {
			return "", err
		}
		out = mutate.RemoveManifests(out, func(desc v1.Descriptor) bool { return desc.Digest == d.Digest })
		out = mutate.AppendManifests(out, mutate.IndexAddendum{Add: changed, Descriptor: v1.Descriptor{Platform: d.Platform}})
	}
	h, err := ociimage.Push(ctx, out, repo, []string{tag}, io.Discard)
	if err != nil {
		return "", err
	}
	return repo + "@" + h.String(), nil
}
