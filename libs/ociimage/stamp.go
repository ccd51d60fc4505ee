package ociimage

import (
	"fmt"
	"maps"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// The OCI annotation keys a pushed image is stamped with (as config labels of
// every platform image and as annotations of the index).
const (
	RevisionLabel = "org.opencontainers.image.revision"
	VersionLabel  = "org.opencontainers.image.version"
	CreatedLabel  = "org.opencontainers.image.created"
)

// Stamp is what a push records about the source. Created is the commit time,
// not the push time, so that pushing the same commit twice gives the same
// digest. The build itself is never stamped: its digests stay reproducible.
type Stamp struct {
	Revision string
	Version  string
	Created  time.Time
}

// IsZero reports whether s stamps nothing.
func (s Stamp) IsZero() bool { return s.Revision == "" && s.Version == "" && s.Created.IsZero() }

// Labels are s as OCI annotation keys; empty fields are left out.
func (s Stamp) Labels() map[string]string {
	m := map[string]string{}
	if s.Revision != "" {
		m[RevisionLabel] = s.Revision
	}
	if s.Version != "" {
		m[VersionLabel] = s.Version
	}
	if !s.Created.IsZero() {
		m[CreatedLabel] = s.Created.UTC().Format(time.RFC3339)
	}
	return m
}

// StampFromAnnotations reads a Stamp back from an index's annotations (the
// inverse of Labels), so a verifier can redo a push's stamp exactly.
func StampFromAnnotations(a map[string]string) (Stamp, error) {
	s := Stamp{Revision: a[RevisionLabel], Version: a[VersionLabel]}
	if c := a[CreatedLabel]; c != "" {
		t, err := time.Parse(time.RFC3339, c)
		if err != nil {
			return Stamp{}, fmt.Errorf("annotation %s: %w", CreatedLabel, err)
		}
		s.Created = t.UTC()
	}
	return s, nil
}

// StampImage adds s's labels to img's config and sets its created time. The
// layers are untouched, so only the config and manifest digests change.
func StampImage(img v1.Image, s Stamp) (v1.Image, error) {
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	if cf.Config.Labels == nil {
		cf.Config.Labels = map[string]string{}
	}
	maps.Copy(cf.Config.Labels, s.Labels())
	if !s.Created.IsZero() {
		cf.Created = v1.Time{Time: s.Created.UTC()}
	}
	return mutate.ConfigFile(img, cf)
}

// StampIndex returns a new index whose platform images are stamped with s
// and which carries s's labels as annotations; idx itself is not changed.
// The result depends only on idx and s (same inputs, same digest).
func StampIndex(idx v1.ImageIndex, s Stamp) (v1.ImageIndex, error) {
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	var adds []mutate.IndexAddendum
	for _, d := range im.Manifests {
		if !d.MediaType.IsImage() {
			return nil, fmt.Errorf("index entry %s: %s is not an image", d.Digest, d.MediaType)
		}
		img, err := idx.Image(d.Digest)
		if err != nil {
			return nil, err
		}
		if img, err = StampImage(img, s); err != nil {
			return nil, err
		}
		adds = append(adds, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{
			MediaType: d.MediaType, Platform: d.Platform, Annotations: d.Annotations,
		}})
	}
	ann := maps.Clone(im.Annotations)
	if ann == nil {
		ann = map[string]string{}
	}
	maps.Copy(ann, s.Labels())
	mt := im.MediaType
	if mt == "" {
		mt = types.OCIImageIndex
	}
	out := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, mt), adds...)
	return mutate.Annotations(out, ann).(v1.ImageIndex), nil
}
