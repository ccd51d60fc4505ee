package ociimage_test

import (
	"testing"
	"time"

	"github.com/find-peers/find-peers/libs/ociimage"
	"github.com/find-peers/find-peers/libs/ociimage/cosigntest"
)

// TestStampIndex: stamping gives a new, deterministic digest with the labels
// in every config and on the index, and leaves the built index untouched.
func TestStampIndex(t *testing.T) {
	b := cosigntest.Index(t, "app")
	before, _ := b.Index.Digest()
	s := ociimage.Stamp{Revision: "0123abcd", Version: "v1.2.3", Created: time.Date(2026, 11, 30, 12, 0, 0, 0, time.FixedZone("x", 3600))}
	st, err := ociimage.StampIndex(b.Index, s)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := ociimage.StampIndex(b.Index, s)
	d1, _ := st.Digest()
	d2, _ := again.Digest()
	if after, _ := b.Index.Digest(); after != before {
		t.Fatalf("the built index changed: %s -> %s", before, after)
	}
	if d1 == before || d1 != d2 {
		t.Fatalf("stamped digest %s (again %s), built %s: want new and deterministic", d1, d2, before)
	}
	im, _ := st.IndexManifest()
	want := map[string]string{ociimage.RevisionLabel: "0123abcd", ociimage.VersionLabel: "v1.2.3", ociimage.CreatedLabel: "2026-11-30T11:00:00Z"}
	for k, v := range want {
		if im.Annotations[k] != v {
			t.Errorf("index annotation %s = %q, want %q", k, im.Annotations[k], v)
		}
	}
	if back, err := ociimage.StampFromAnnotations(im.Annotations); err != nil || back != (ociimage.Stamp{Revision: s.Revision, Version: s.Version, Created: s.Created.UTC()}) {
		t.Errorf("stamp read back %+v (%v)", back, err)
	}
	if len(im.Manifests) != 2 {
		t.Fatalf("%d manifests", len(im.Manifests))
	}
	for i, d := range im.Manifests {
		img, _ := st.Image(d.Digest)
		cf, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range want {
			if cf.Config.Labels[k] != v {
				t.Errorf("%s: label %s = %q, want %q", d.Platform, k, cf.Config.Labels[k], v)
			}
		}
		if !cf.Created.Time.Equal(s.Created) || cf.Config.User != "65532:65532" {
			t.Errorf("%s: created %s user %q", d.Platform, cf.Created, cf.Config.User)
		}
		if d.Platform.String() != b.Platforms[i].String() {
			t.Errorf("platform %s, want %s", d.Platform, b.Platforms[i])
		}
		wl, _ := b.Images[i].Layers()
		gl, _ := img.Layers()
		for j := range wl {
			w, _ := wl[j].Digest()
			g, _ := gl[j].Digest()
			if w != g {
				t.Errorf("%s: layer %d changed", d.Platform, j)
			}
		}
	}
}
