package main

import (
	"bytes"
	"context"
	"flag"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/find-peers/find-peers/libs/ociimage"
	"github.com/find-peers/find-peers/libs/rloc"
)

var layoutArg = flag.String("layout", "", "runfile path of a built OCI layout to push (default: build a small one)")

// testLayout returns a layout: the one Bazel built (--layout), or a small
// image built here from a fake binary.
func testLayout(t *testing.T) string {
	t.Helper()
	if *layoutArg != "" {
		p, err := rloc.Path(*layoutArg)
		if err != nil {
			t.Fatal(err)
		}
		p, err = ociimage.ResolveLayout(p, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	dir := t.TempDir()
	var bins []ociimage.Binary
	for _, arch := range []string{"amd64", "arm64"} {
		p := filepath.Join(dir, arch)
		if err := os.WriteFile(p, []byte("binary for "+arch), 0o755); err != nil {
			t.Fatal(err)
		}
		bins = append(bins, ociimage.Binary{Platform: v1.Platform{OS: "linux", Architecture: arch}, Path: p})
	}
	b, err := ociimage.Build(ociimage.Spec{Name: "find-peers/test", Binaries: bins, Ports: []string{"9000"}})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "test.oci")
	if err := ociimage.WriteLayout(out, b.Index, "latest"); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPushPullRoundTrip pushes a layout's index to an in-process registry
// through run() (flags, tags), pulls it back by both tags and compares the
// index digest, the platforms and every image's config.
func TestPushPullRoundTrip(t *testing.T) {
	srv := httptest.NewServer(registry.New())
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://") // 127.0.0.1:port: plain HTTP

	dir := testLayout(t)
	want, err := ociimage.ReadLayoutIndex(dir)
	if err != nil {
		t.Fatal(err)
	}
	wantDigest, _ := want.Digest()

	var out bytes.Buffer
	if err := run(context.Background(), []string{"--registry", host, "--tag", "t1", "--image", "svc=" + dir}, &out); err != nil {
		t.Fatalf("push: %v\n%s", err, out.String())
	}
	t.Logf("push output:\n%s", out.String())
	if !strings.Contains(out.String(), host+"/find-peers/svc@"+wantDigest.String()) {
		t.Errorf("output does not report the pushed digest %s", wantDigest)
	}
	for _, tag := range []string{"latest", "t1"} {
		ref, err := name.NewTag(host+"/find-peers/svc:"+tag, name.Insecure)
		if err != nil {
			t.Fatal(err)
		}
		got, err := remote.Index(ref)
		if err != nil {
			t.Fatalf("pull %s: %v", ref, err)
		}
		gd, _ := got.Digest()
		if gd != wantDigest {
			t.Errorf("%s: digest %s, want %s", ref, gd, wantDigest)
		}
		gm, _ := got.IndexManifest()
		wm, _ := want.IndexManifest()
		if len(gm.Manifests) != len(wm.Manifests) {
			t.Fatalf("manifests %d, want %d", len(gm.Manifests), len(wm.Manifests))
		}
		for i, d := range wm.Manifests {
			if gm.Manifests[i].Platform.String() != d.Platform.String() {
				t.Errorf("platform %s, want %s", gm.Manifests[i].Platform, d.Platform)
			}
			wi, _ := want.Image(d.Digest)
			gi, err := got.Image(d.Digest)
			if err != nil {
				t.Fatal(err)
			}
			wc, _ := wi.RawConfigFile()
			gc, err := gi.RawConfigFile()
			if err != nil || !bytes.Equal(wc, gc) {
				t.Errorf("%s: config differs after the round trip (%v)", d.Platform, err)
			}
		}
	}
}

func TestRegistryChoice(t *testing.T) {
	if got := Registry("", ""); got != DefaultRegistry {
		t.Errorf("default %q", got)
	}
	if got := Registry("", "reg.example:5000/"); got != "reg.example:5000" {
		t.Errorf("env %q", got)
	}
	if got := Registry("a:1", "b:2"); got != "a:1" {
		t.Errorf("flag %q", got)
	}
}
