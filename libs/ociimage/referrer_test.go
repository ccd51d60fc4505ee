package ociimage_test

import (
	"bytes"
	"context"
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/partial"

	"github.com/find-peers/find-peers/libs/ociimage"
	"github.com/find-peers/find-peers/libs/ociimage/cosigntest"
)

// TestSBOMReferrer attaches an SBOM to a pushed index and lists it back,
// with the OCI 1.1 referrers API and with the tag fallback ggcr keeps for
// registries without it.
func TestSBOMReferrer(t *testing.T) {
	for _, api := range []bool{true, false} {
		srv := httptest.NewServer(registry.New(registry.WithReferrersSupport(api), registry.Logger(log.New(io.Discard, "", 0))))
		defer srv.Close()
		repo := strings.TrimPrefix(srv.URL, "http://") + "/find-peers/svc"
		ctx := context.Background()
		b := cosigntest.Index(t, "app")
		d, err := ociimage.Push(ctx, b.Index, repo, []string{"latest"}, &bytes.Buffer{})
		if err != nil {
			t.Fatal(err)
		}
		desc, _ := partial.Descriptor(b.Index)
		sbom := []byte(`{"spdxVersion":"SPDX-2.3","name":"svc"}`)
		if _, err := ociimage.AttachSBOM(ctx, repo, *desc, sbom); err != nil {
			t.Fatalf("referrers API %v: %v", api, err)
		}
		docs, err := ociimage.SBOMs(ctx, repo, d)
		if err != nil {
			t.Fatal(err)
		}
		if len(docs) != 1 || !bytes.Equal(docs[0], sbom) {
			t.Fatalf("referrers API %v: SBOMs %q, want the one attached", api, docs)
		}
		other := cosigntest.Index(t, "other")
		od, _ := other.Index.Digest()
		if docs, err := ociimage.SBOMs(ctx, repo, od); err != nil || len(docs) != 0 {
			t.Errorf("another digest has SBOMs %q (%v)", docs, err)
		}
	}
}
