package ociimage

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

const (
	// SPDXArtifactType is the artifactType of an SBOM referrer (and the
	// media type of its one layer, the SPDX JSON document).
	SPDXArtifactType = "application/spdx+json"
	// emptyConfigType is OCI 1.1's config of an artifact that has none.
	emptyConfigType = "application/vnd.oci.empty.v1+json"
)

// remoteOptions are the options every registry call here uses: ctx and the
// default keychain (~/.docker/config.json, credential helpers).
func remoteOptions(ctx context.Context) []remote.Option {
	return []remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(authn.DefaultKeychain)}
}

// nameOptions are name.Insecure (plain HTTP) for a local registry.
func nameOptions(repo string) []name.Option {
	if IsLocalRegistry(repo) {
		return []name.Option{name.Insecure}
	}
	return nil
}

// artifact is an OCI 1.1 artifact manifest: what remote.Put writes.
type artifact struct{ raw []byte }

func (a artifact) RawManifest() ([]byte, error)        { return a.raw, nil }
func (a artifact) MediaType() (types.MediaType, error) { return types.OCIManifestSchema1, nil }

// AttachSBOM pushes sbom (SPDX JSON) to repo as an artifact whose subject is
// the manifest digest subject describes, so that the registry lists it as a
// referrer of the image (OCI 1.1 referrers API, or ggcr keeps the
// sha256-<digest> fallback tag up to date for registries without it). It
// returns the artifact's digest.
func AttachSBOM(ctx context.Context, repo string, subject v1.Descriptor, sbom []byte) (v1.Hash, error) {
	r, err := name.NewRepository(repo, nameOptions(repo)...)
	if err != nil {
		return v1.Hash{}, err
	}
	opts := remoteOptions(ctx)
	cfg := static.NewLayer([]byte("{}"), emptyConfigType)
	doc := static.NewLayer(sbom, SPDXArtifactType)
	var descs []v1.Descriptor
	for _, l := range []v1.Layer{cfg, doc} {
		if err := remote.WriteLayer(r, l, opts...); err != nil {
			return v1.Hash{}, err
		}
		d, _ := l.Digest()
		n, _ := l.Size()
		mt, _ := l.MediaType()
		descs = append(descs, v1.Descriptor{MediaType: mt, Digest: d, Size: n})
	}
	sub := v1.Descriptor{MediaType: subject.MediaType, Digest: subject.Digest, Size: subject.Size}
	raw, err := json.Marshal(v1.Manifest{
		SchemaVersion: 2,
		MediaType:     types.OCIManifestSchema1,
		ArtifactType:  SPDXArtifactType,
		Config:        descs[0],
		Layers:        descs[1:],
		Subject:       &sub,
	})
	if err != nil {
		return v1.Hash{}, err
	}
	h, _, err := v1.SHA256(bytes.NewReader(raw))
	if err != nil {
		return v1.Hash{}, err
	}
	if err := remote.Put(r.Digest(h.String()), artifact{raw}, opts...); err != nil {
		return v1.Hash{}, fmt.Errorf("SBOM referrer: %w", err)
	}
	return h, nil
}

// SBOMs returns the SPDX documents attached to repo@digest as referrers, in
// the registry's order.
func SBOMs(ctx context.Context, repo string, digest v1.Hash) ([][]byte, error) {
	r, err := name.NewRepository(repo, nameOptions(repo)...)
	if err != nil {
		return nil, err
	}
	opts := remoteOptions(ctx)
	idx, err := remote.Referrers(r.Digest(digest.String()), opts...)
	if err != nil {
		return nil, fmt.Errorf("referrers of %s: %w", digest, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	var out [][]byte
	for _, d := range im.Manifests {
		// Registries list a referrer's artifactType as its manifest's
		// artifactType, or (ggcr's in-process registry) as its config's
		// media type, OCI 1.1's empty one here: read the manifest to tell.
		if d.ArtifactType != SPDXArtifactType && d.ArtifactType != emptyConfigType && d.ArtifactType != "" {
			continue
		}
		img, err := remote.Image(r.Digest(d.Digest.String()), opts...)
		if err != nil {
			return nil, err
		}
		if mf, err := img.Manifest(); err != nil || (mf.ArtifactType != SPDXArtifactType && mf.Config.MediaType != SPDXArtifactType) {
			continue
		}
		b, err := firstLayer(img)
		if err != nil {
			return nil, fmt.Errorf("SBOM %s: %w", d.Digest, err)
		}
		out = append(out, b)
	}
	return out, nil
}

// firstLayer is the content of the artifact's one layer (its document).
func firstLayer(img v1.Image) ([]byte, error) {
	ls, err := img.Layers()
	if err != nil {
		return nil, err
	}
	if len(ls) != 1 {
		return nil, fmt.Errorf("%d layers, want 1", len(ls))
	}
	rc, err := ls[0].Compressed()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}
