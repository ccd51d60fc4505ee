package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/find-peers/find-peers/libs/ociimage"
	"github.com/find-peers/find-peers/libs/reprotar"
)

// writeImage writes the image of layers and config as a docker-save tarball
// at out, with out.id (the config digest, podman's image id) and out.key
// (the inputs' key) beside it. It does nothing when out.key is key already.
func writeImage(out, tag, key string, layers []ociimage.TarLayer, config v1.Config) error {
	t0 := time.Now()
	if ociimage.UpToDate(out, key) {
		fmt.Printf("obsimage: %s is up to date\n", out)
		return nil
	}
	ref, err := name.NewTag(tag, name.WeakValidation)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(out), ".obsimage-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	img, err := ociimage.TarImage(tmp, "tools/build/obsimage", layers, config)
	if err != nil {
		return err
	}
	d, err := ociimage.WriteLoadable(out, ref, img, key)
	if err != nil {
		return err
	}
	fmt.Printf("obsimage: wrote %s (%s, %s) in %s\n", out, tag, d, time.Since(t0).Round(100*time.Millisecond))
	return nil
}

// inputsKey names what an image is made of: this builder (which pins the
// jar and holds the configuration), the healthcheck binary, the root file
// system (its stamp and when it was made), extra inputs and the tag.
func inputsKey(checkBin []byte, rootfs, tag string, extra ...string) (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", err
	}
	return ociimage.Inputs{Files: []string{self}, Data: [][]byte{checkBin}, Rootfs: rootfs, Tag: tag, Extra: extra}.Key()
}

// dirs adds each directory (root's, 0755) of a path, parents first.
func dirs(tw *reprotar.Writer, names ...string) error {
	for _, d := range names {
		if err := tw.Dir(d, 0o755, 0, 0); err != nil {
			return err
		}
	}
	return nil
}
