package main

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// TestPushPull pushes a random image over real HTTP and pulls it back by tag:
// same digest, same config. Blobs on disk, so the disk handler is exercised.
func TestPushPull(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, ln, newHandler(t.TempDir())) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("registry did not shut down")
		}
	})

	img, err := random.Image(1024, 3)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.ParseReference(ln.Addr().String()+"/find-peers/test:v1", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img, remote.WithContext(ctx)); err != nil {
		t.Fatalf("push: %v", err)
	}
	got, err := remote.Image(ref, remote.WithContext(ctx))
	if err != nil {
		t.Fatalf("pull: %v", err)
	}
	want, _ := img.Digest()
	gotDigest, err := got.Digest()
	if err != nil {
		t.Fatal(err)
	}
	if gotDigest != want {
		t.Errorf("digest after round trip = %s, want %s", gotDigest, want)
	}
	wantCfg, _ := img.RawConfigFile()
	gotCfg, err := got.RawConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if string(gotCfg) != string(wantCfg) {
		t.Errorf("config changed in round trip:\n got %s\nwant %s", gotCfg, wantCfg)
	}
	layers, err := got.Layers()
	if err != nil || len(layers) != 3 {
		t.Fatalf("layers = %d (%v), want 3", len(layers), err)
	}
}
