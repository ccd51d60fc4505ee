package ociimage

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

// RootfsStamp is the file a root file system's maker (tools/cassandra-image,
// tools/observability-images) writes last into a finished root: its recipe.
// A root is replaced as a whole, so the stamp's content and modification time
// name one root.
const RootfsStamp = ".find-peers-ready"

// Inputs are what an image built from a root file system is made of. Their
// key (Key) names one image: the same key gives the same bytes, so an
// unchanged image need not be written (seconds for hundreds of MB) or loaded
// into podman again.
type Inputs struct {
	Files  []string // e.g. the builder itself, an entrypoint binary
	Data   [][]byte // other bytes that go into the image
	Rootfs string   // a finished root (RootfsStamp)
	Tag    string
	Extra  []string // e.g. a pinned version
}

// Key hashes the inputs.
func (in Inputs) Key() (string, error) {
	h := sha256.New()
	for _, p := range in.Files {
		if err := hashFile(h, p); err != nil {
			return "", err
		}
	}
	for _, d := range in.Data {
		fmt.Fprintf(h, "%d\x00", len(d))
		h.Write(d)
	}
	stamp := filepath.Join(in.Rootfs, RootfsStamp)
	st, err := os.Stat(stamp)
	if err != nil {
		return "", fmt.Errorf("%s is not a finished root file system: %w", in.Rootfs, err)
	}
	if err := hashFile(h, stamp); err != nil {
		return "", err
	}
	fmt.Fprintf(h, "\x00%s\x00%s\x00%s", in.Rootfs, st.ModTime().UTC().Format(time.RFC3339Nano), in.Tag)
	for _, e := range in.Extra {
		fmt.Fprintf(h, "\x00%s", e)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func hashFile(h io.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(h, f)
	fmt.Fprintf(h, "\x00%s\x00", filepath.Base(path))
	return err
}

// UpToDate reports whether the tarball out was written from the inputs
// named by key (WriteLoadable).
func UpToDate(out, key string) bool {
	if _, err := os.Stat(out); err != nil {
		return false
	}
	got, err := os.ReadFile(out + ".key")
	return err == nil && string(got) == key
}

// WriteLoadable writes img as a docker-save tarball at out (for `podman
// load`), beside it out.id (the config digest: the image id podman gives the
// loaded image, so a loader can skip a load podman has) and out.key (key,
// for UpToDate), and returns the image's digest. The tarball appears whole
// or not at all.
func WriteLoadable(out string, ref name.Reference, img v1.Image, key string) (v1.Hash, error) {
	part := out + ".part"
	if err := tarball.WriteToFile(part, ref, img); err != nil {
		return v1.Hash{}, err
	}
	if err := os.Rename(part, out); err != nil {
		return v1.Hash{}, err
	}
	id, err := img.ConfigName()
	if err != nil {
		return v1.Hash{}, err
	}
	if err := os.WriteFile(out+".id", []byte(id.String()+"\n"), 0o644); err != nil {
		return v1.Hash{}, err
	}
	if err := os.WriteFile(out+".key", []byte(key), 0o644); err != nil {
		return v1.Hash{}, err
	}
	return img.Digest()
}

// TarLayer is one layer of an image built from files: what it adds (written
// by reprotar, so the same files give the same bytes) and its history line.
type TarLayer struct {
	Name  string
	Write func(*reprotar.Writer) error
}

// TarImage is the linux/amd64 image of layers (AppendTarLayers on an empty
// image, the tar files in dir) with config, created at Epoch.
func TarImage(dir, builder string, layers []TarLayer, config v1.Config) (v1.Image, error) {
	img, history, err := AppendTarLayers(empty.Image, dir, builder, layers)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.Architecture, cf.OS = "amd64", "linux"
	cf.Created = v1.Time{Time: Epoch}
	cf.History = history
	cf.Config = config
	return mutate.ConfigFile(img, cf)
}

// AppendTarLayers writes each layer as a tar file in dir (they can be large:
// a root file system) and appends it, gzipped at BestSpeed, to img, with a
// history entry "builder: name" per layer.
func AppendTarLayers(img v1.Image, dir, builder string, layers []TarLayer) (v1.Image, []v1.History, error) {
	var history []v1.History
	for i, l := range layers {
		p := filepath.Join(dir, fmt.Sprintf("layer%d.tar", i))
		if err := reprotar.WriteFile(p, l.Write); err != nil {
			return nil, nil, fmt.Errorf("layer %q: %w", l.Name, err)
		}
		layer, err := tarball.LayerFromFile(p, tarball.WithCompressionLevel(gzip.BestSpeed), tarball.WithCompressedCaching)
		if err != nil {
			return nil, nil, err
		}
		if img, err = mutate.AppendLayers(img, layer); err != nil {
			return nil, nil, err
		}
		history = append(history, v1.History{Created: v1.Time{Time: Epoch}, CreatedBy: builder + ": " + l.Name})
	}
	return img, history, nil
}

// WithAccountLine returns the file's content with line appended unless a line for
// the same name (the text before the first colon) is there already: how an
// image adds its user and group to a root file system's /etc/passwd and
// /etc/group.
func WithAccountLine(path, line string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	user, _, _ := strings.Cut(line, ":")
	if _, err := AccountLine(b, user); err == nil {
		return b, nil
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		b = append(b, '\n')
	}
	return append(b, line+"\n"...), nil
}

// AccountLine returns the colon-separated fields of the line of an
// /etc/passwd or /etc/group file whose first field is name.
func AccountLine(b []byte, name string) ([]string, error) {
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Split(l, ":"); len(f) > 2 && f[0] == name {
			return f, nil
		}
	}
	return nil, fmt.Errorf("no line for %q", name)
}
