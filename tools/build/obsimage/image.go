package main

import (
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/find-peers/find-peers/libs/reprotar"
)

// readyStamp is the file the root file system's maker writes last (its
// recipe); the root is replaced as a whole, so the stamp's content and
// modification time name one root.
const readyStamp = ".find-peers-ready"

// layer is one layer of an image: what it adds, and its history line.
type layer struct {
	name  string
	write func(*reprotar.Writer) error
}

// epoch is every image's creation time: the same inputs, the same bytes.
var epoch = v1.Time{Time: time.Unix(0, 0).UTC()}

// writeImage writes the image of layers and config as a docker-save tarball
// at out, with out.id (the config digest, podman's image id) and out.key
// (the inputs' key) beside it. It does nothing when out.key is key already.
func writeImage(out, tag, key string, layers []layer, config v1.Config) error {
	t0 := time.Now()
	if got, err := os.ReadFile(out + ".key"); err == nil && string(got) == key {
		if _, err := os.Stat(out); err == nil {
			fmt.Printf("obsimage: %s is up to date\n", out)
			return nil
		}
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
	img := empty.Image
	var history []v1.History
	for i, l := range layers {
		p := filepath.Join(tmp, fmt.Sprintf("layer%d.tar", i))
		if err := reprotar.WriteFile(p, l.write); err != nil {
			return fmt.Errorf("layer %q: %w", l.name, err)
		}
		tl, err := tarball.LayerFromFile(p, tarball.WithCompressionLevel(gzip.BestSpeed), tarball.WithCompressedCaching)
		if err != nil {
			return err
		}
		if img, err = mutate.AppendLayers(img, tl); err != nil {
			return err
		}
		history = append(history, v1.History{Created: epoch, CreatedBy: "tools/build/obsimage: " + l.name})
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return err
	}
	cf = cf.DeepCopy()
	cf.Architecture, cf.OS = "amd64", "linux"
	cf.Created = epoch
	cf.History = history
	cf.Config = config
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		return err
	}
	part := out + ".part"
	if err := tarball.WriteToFile(part, ref, img); err != nil {
		return err
	}
	if err := os.Rename(part, out); err != nil {
		return err
	}
	id, err := img.ConfigName()
	if err != nil {
		return err
	}
	if err := os.WriteFile(out+".id", []byte(id.String()+"\n"), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(out+".key", []byte(key), 0o644); err != nil {
		return err
	}
	d, _ := img.Digest()
	fmt.Printf("obsimage: wrote %s (%s, %s) in %s\n", out, tag, d, time.Since(t0).Round(100*time.Millisecond))
	return nil
}

// inputsKey names what an image is made of: this builder (which pins the
// jar and holds the configuration), the healthcheck binary, the root file
// system (its stamp and when it was made), extra inputs and the tag.
func inputsKey(checkBin []byte, rootfs, tag string, extra ...string) (string, error) {
	h := sha256.New()
	self, err := os.Executable()
	if err != nil {
		return "", err
	}
	f, err := os.Open(self)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	h.Write(checkBin)
	stamp := filepath.Join(rootfs, readyStamp)
	st, err := os.Stat(stamp)
	if err != nil {
		return "", fmt.Errorf("%s is not a finished root file system: %w", rootfs, err)
	}
	recipe, err := os.ReadFile(stamp)
	if err != nil {
		return "", err
	}
	fmt.Fprintf(h, "\x00%s\x00%s\x00%s\x00%s", recipe, rootfs, st.ModTime().UTC().Format(time.RFC3339Nano), tag)
	for _, e := range extra {
		fmt.Fprintf(h, "\x00%s", e)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
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

// withLine returns the file's content with line appended unless a line for
// the same name (the text before the first colon) is there already.
func withLine(path, line string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	user, _, _ := strings.Cut(line, ":")
	if _, err := lookupLine(b, user); err == nil {
		return b, nil
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		b = append(b, '\n')
	}
	return append(b, line+"\n"...), nil
}

// lookupLine returns the colon-separated fields of the line of an
// /etc/passwd or /etc/group file whose first field is name.
func lookupLine(b []byte, name string) ([]string, error) {
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Split(l, ":"); len(f) > 2 && f[0] == name {
			return f, nil
		}
	}
	return nil, fmt.Errorf("no line for %q", name)
}
