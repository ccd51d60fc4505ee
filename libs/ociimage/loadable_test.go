package ociimage

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/find-peers/find-peers/libs/reprotar"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestInputsKeyChangesWithEachInput(t *testing.T) {
	dir := t.TempDir()
	self, entry, rootfs := filepath.Join(dir, "self"), filepath.Join(dir, "entry"), filepath.Join(dir, "rootfs")
	if err := os.Mkdir(rootfs, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, self, "builder v1")
	write(t, entry, "entrypoint v1")
	write(t, filepath.Join(rootfs, RootfsStamp), "recipe 1")
	in := Inputs{Files: []string{self, entry}, Data: [][]byte{[]byte("check v1")}, Rootfs: rootfs, Tag: "find-peers/x:1", Extra: []string{"2.42.0"}}
	key := func() string {
		t.Helper()
		k, err := in.Key()
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	base := key()
	if again := key(); again != base {
		t.Fatalf("same inputs, different keys: %s vs %s", base, again)
	}
	changes := map[string]func(){
		"builder":    func() { write(t, self, "builder v2") },
		"entrypoint": func() { write(t, entry, "entrypoint v2") },
		"data":       func() { in.Data = [][]byte{[]byte("check v2")} },
		"extra":      func() { in.Extra = []string{"2.43.0"} },
		"tag":        func() { in.Tag = "find-peers/x:2" },
		"recipe":     func() { write(t, filepath.Join(rootfs, RootfsStamp), "recipe 2") },
		"remade root": func() {
			later := time.Now().Add(time.Hour)
			if err := os.Chtimes(filepath.Join(rootfs, RootfsStamp), later, later); err != nil {
				t.Fatal(err)
			}
		},
	}
	seen := map[string]string{base: "base"}
	for name, change := range changes {
		change()
		k := key()
		if prev, ok := seen[k]; ok {
			t.Errorf("after changing the %s the key equals the one of %s", name, prev)
		}
		seen[k] = name
	}
}

func TestInputsKeyNeedsAFinishedRoot(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "self"), "x")
	if _, err := (Inputs{Files: []string{filepath.Join(dir, "self")}, Rootfs: dir, Tag: "t"}).Key(); err == nil {
		t.Fatal("a root without its ready stamp gave a key")
	}
}

// TestWriteLoadable writes a tarball podman could load and finds the image,
// its id and its key beside it; then it is up to date for that key only.
func TestWriteLoadable(t *testing.T) {
	out := filepath.Join(t.TempDir(), "image.tar")
	if UpToDate(out, "k") {
		t.Fatal("a missing tarball is up to date")
	}
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.NewTag("find-peers/x:1", name.WeakValidation)
	if err != nil {
		t.Fatal(err)
	}
	digest, err := WriteLoadable(out, ref, img, "k")
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := img.Digest(); digest != want {
		t.Errorf("digest %s, want %s", digest, want)
	}
	back, err := tarball.ImageFromPath(out, &ref)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := back.ConfigName()
	if got, _ := os.ReadFile(out + ".id"); string(got) != id.String()+"\n" {
		t.Errorf("out.id = %q, want %s", got, id)
	}
	if !UpToDate(out, "k") || UpToDate(out, "other") {
		t.Fatal("the key file is not compared")
	}
	if _, err := os.Stat(out + ".part"); err == nil {
		t.Error("the partial file is left behind")
	}
}

func TestTarImage(t *testing.T) {
	layers := []TarLayer{
		{Name: "one", Write: func(tw *reprotar.Writer) error { return tw.File("a.txt", 0o644, []byte("a")) }},
		{Name: "two", Write: func(tw *reprotar.Writer) error { return tw.File("b.txt", 0o644, []byte("b")) }},
	}
	build := func() v1.Image {
		img, err := TarImage(t.TempDir(), "test-builder", layers, v1.Config{User: "1:1"})
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	img := build()
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cf.Config.User != "1:1" || !cf.Created.Time.Equal(Epoch) || cf.OS != "linux" || cf.Architecture != "amd64" {
		t.Errorf("config %+v", cf)
	}
	if len(cf.History) != 2 || cf.History[1].CreatedBy != "test-builder: two" {
		t.Errorf("history %+v", cf.History)
	}
	d1, _ := img.Digest()
	if d2, _ := build().Digest(); d1 != d2 {
		t.Errorf("two builds: %s and %s", d1, d2)
	}
}

func TestWithAccountLine(t *testing.T) {
	p := filepath.Join(t.TempDir(), "passwd")
	if err := os.WriteFile(p, []byte("root:x:0:0:root:/root:/bin/bash"), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := WithAccountLine(p, "zipkin:x:998:998:Zipkin:/opt/zipkin:/usr/sbin/nologin")
	if err != nil || string(b) != "root:x:0:0:root:/root:/bin/bash\nzipkin:x:998:998:Zipkin:/opt/zipkin:/usr/sbin/nologin\n" {
		t.Errorf("added: %q, %v", b, err)
	}
	if b, _ := WithAccountLine(p, "root:x:1:1::/:"); string(b) != "root:x:0:0:root:/root:/bin/bash" {
		t.Errorf("an existing user was added again: %q", b)
	}
	if f, err := AccountLine(b, "root"); err != nil || f[2] != "0" {
		t.Errorf("AccountLine: %q, %v", f, err)
	}
}
