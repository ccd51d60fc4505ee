package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/find-peers/find-peers/libs/rloc"
)

const digest = "sha256:6ea5d452b33bf2e0cb6a8190cf094a7a41a3d8027b0da1800cf64a2b46afb6f2"

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestResolveWritesDigestPins(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "k8s/overlays/single/kustomization.yaml"), "kind: Kustomization\n")
	df := filepath.Join(dir, "beacon.digest")
	writeFile(t, df, `{"name":"find-peers/beacon","indexDigest":"`+digest+`"}`)
	var out bytes.Buffer
	cass := "localhost:5000/find-peers/cassandra@sha256:" + strings.Repeat("a", 64)
	if err := resolve(rloc.Named{{Name: "beacon", Path: df}}, "localhost:5000/", filepath.Join(dir, "k8s/overlays/single"), "", cass, &out); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "k8s/resolved/single/kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"resources:\n  - ../../overlays/single\n",
		"  - name: find-peers/beacon\n    newName: localhost:5000/find-peers/beacon\n    digest: " + digest + "\n",
		"  - name: find-peers/cassandra\n    newName: localhost:5000/find-peers/cassandra\n    digest: sha256:" + strings.Repeat("a", 64) + "\n",
	} {
		if !strings.Contains(string(got), want) {
			t.Errorf("kustomization.yaml lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(string(got), ":latest") {
		t.Errorf("a tag in the pinned overlay:\n%s", got)
	}
}

func TestResolveRejects(t *testing.T) {
	dir := t.TempDir()
	overlay := filepath.Join(dir, "overlay")
	writeFile(t, filepath.Join(overlay, "kustomization.yaml"), "kind: Kustomization\n")
	bad := filepath.Join(dir, "bad.digest")
	writeFile(t, bad, `{"name":"find-peers/beacon","indexDigest":"sha256:123"}`)
	good := filepath.Join(dir, "good.digest")
	writeFile(t, good, `{"name":"find-peers/beacon","indexDigest":"`+digest+`"}`)
	cases := map[string]struct {
		images              rloc.Named
		registry, cassandra string
		overlay             string
		want                string
	}{
		"no registry":    {rloc.Named{{Name: "beacon", Path: good}}, "", "", overlay, "--registry"},
		"no images":      {nil, "r", "", overlay, "no --image"},
		"short digest":   {rloc.Named{{Name: "beacon", Path: bad}}, "r", "", overlay, "sha256 index digest"},
		"cassandra tag":  {rloc.Named{{Name: "beacon", Path: good}}, "r", "r/find-peers/cassandra:5.0.9", overlay, "NAME@sha256"},
		"no overlay":     {rloc.Named{{Name: "beacon", Path: good}}, "r", "", filepath.Join(dir, "none"), "overlay"},
		"missing digest": {rloc.Named{{Name: "beacon", Path: filepath.Join(dir, "none.digest")}}, "r", "", overlay, "none.digest"},
	}
	for name, c := range cases {
		err := resolve(c.images, c.registry, c.overlay, filepath.Join(dir, "out"), c.cassandra, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one naming %q", name, err, c.want)
		}
	}
}
