package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"
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
	write(t, filepath.Join(rootfs, readyStamp), "recipe 1")
	key := func() string {
		t.Helper()
		k, err := inputsKey(self, entry, rootfs, "find-peers/cassandra:5.0.9")
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
		"recipe":     func() { write(t, filepath.Join(rootfs, readyStamp), "recipe 2") },
		"remade root": func() {
			later := time.Now().Add(time.Hour)
			if err := os.Chtimes(filepath.Join(rootfs, readyStamp), later, later); err != nil {
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
	write(t, filepath.Join(dir, "entry"), "y")
	if _, err := inputsKey(filepath.Join(dir, "self"), filepath.Join(dir, "entry"), dir, "t"); err == nil {
		t.Fatal("a root without its ready stamp gave a key")
	}
}

func TestUpToDate(t *testing.T) {
	out := filepath.Join(t.TempDir(), "image.tar")
	if upToDate(out, "k") {
		t.Fatal("a missing tarball is up to date")
	}
	write(t, out, "tar")
	if upToDate(out, "k") {
		t.Fatal("a tarball without a key file is up to date")
	}
	write(t, out+".key", "k")
	if !upToDate(out, "k") || upToDate(out, "other") {
		t.Fatal("the key file is not compared")
	}
}
