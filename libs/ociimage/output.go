package ociimage

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// WriteLayout writes an OCI image layout to dir (which must be empty or
// absent): oci-layout, blobs/sha256/..., and an index.json with exactly one
// descriptor, the image index, annotated with refName.
func WriteLayout(dir string, idx v1.ImageIndex, refName string) error {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("layout directory %s is not empty", dir)
	}
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return fmt.Errorf("layout %s: %w", dir, err)
	}
	var opts []layout.Option
	if refName != "" {
		opts = append(opts, layout.WithAnnotations(map[string]string{RefNameAnnotation: refName}))
	}
	if err := p.AppendIndex(idx, opts...); err != nil {
		return fmt.Errorf("layout %s: %w", dir, err)
	}
	return nil
}

// ReadLayoutIndex returns the image index that WriteLayout wrote to dir.
func ReadLayoutIndex(dir string) (v1.ImageIndex, error) {
	p, err := layout.FromPath(dir)
	if err != nil {
		return nil, err
	}
	top, err := p.ImageIndex()
	if err != nil {
		return nil, err
	}
	m, err := top.IndexManifest()
	if err != nil {
		return nil, err
	}
	if len(m.Manifests) != 1 || !m.Manifests[0].MediaType.IsIndex() {
		return nil, fmt.Errorf("layout %s: index.json should hold exactly one image index, has %d descriptors", dir, len(m.Manifests))
	}
	return top.ImageIndex(m.Manifests[0].Digest)
}

// WriteTarball writes img as a `docker load`/`podman load` tarball tagged
// tag (e.g. "find-peers/beacon:latest"; no registry is added).
func WriteTarball(path, tag string, img v1.Image) error {
	t, err := name.NewTag(tag)
	if err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := tarball.Write(t, img, f); err != nil {
		f.Close()
		return fmt.Errorf("tarball %s: %w", path, err)
	}
	return f.Close()
}

// PlatformSummary describes one image of the index.
type PlatformSummary struct {
	Platform string `json:"platform"`
	// Digest is the image manifest's digest (what a registry serves).
	Digest string `json:"digest"`
	// ImageID is the config digest (what `podman images` shows as the id).
	ImageID string `json:"imageId"`
	// CompressedSize is manifest + config + compressed layers, in bytes.
	CompressedSize int64 `json:"compressedSize"`
	// LayerSizes are the compressed layer sizes (base, app).
	LayerSizes []int64 `json:"layerSizes"`
	// BinarySize is the size of the binary at /app.
	BinarySize int64 `json:"binarySize"`
}

// Summary is the digest file: what was built, by digest.
type Summary struct {
	Name            string            `json:"name"`
	IndexDigest     string            `json:"indexDigest"`
	Images          []PlatformSummary `json:"images"`
	TarballPlatform string            `json:"tarballPlatform,omitempty"`
}

// Summarize computes the digest summary of b.
func Summarize(imageName string, b *Built) (*Summary, error) {
	d, err := b.Index.Digest()
	if err != nil {
		return nil, err
	}
	s := &Summary{Name: imageName, IndexDigest: d.String()}
	for i, img := range b.Images {
		ps, err := summarizeImage(img)
		if err != nil {
			return nil, err
		}
		ps.Platform = b.Platforms[i].String()
		ps.BinarySize = b.BinSizes[i]
		s.Images = append(s.Images, *ps)
	}
	return s, nil
}

func summarizeImage(img v1.Image) (*PlatformSummary, error) {
	d, err := img.Digest()
	if err != nil {
		return nil, err
	}
	cfg, err := img.ConfigName()
	if err != nil {
		return nil, err
	}
	m, err := img.Manifest()
	if err != nil {
		return nil, err
	}
	raw, err := img.RawManifest()
	if err != nil {
		return nil, err
	}
	ps := &PlatformSummary{Digest: d.String(), ImageID: cfg.String()}
	ps.CompressedSize = int64(len(raw)) + m.Config.Size
	for _, l := range m.Layers {
		ps.LayerSizes = append(ps.LayerSizes, l.Size)
		ps.CompressedSize += l.Size
	}
	return ps, nil
}

// WriteJSON writes v as indented JSON with a final newline.
func WriteJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Clean(path), append(data, '\n'), 0o644)
}

// ResolveLayout returns a layout directory whose blobs are regular files,
// which go-containerregistry insists on (it refuses symlinked blobs): dir
// itself when that holds, else a copy made under tmpParent with every
// symlink resolved. Bazel's sandboxes and runfiles trees present a layout
// (a tree artifact) as symlinks, so readers of built layouts call this.
func ResolveLayout(dir, tmpParent string) (string, error) {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", err
	}
	linked := false
	err = filepath.WalkDir(real, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type()&os.ModeSymlink != 0 {
			linked = true
			return filepath.SkipAll
		}
		return err
	})
	if err != nil {
		return "", err
	}
	if !linked {
		return real, nil
	}
	dst, err := os.MkdirTemp(tmpParent, "layout-")
	if err != nil {
		return "", err
	}
	err = filepath.WalkDir(real, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(real, p)
		target := filepath.Join(dst, rel)
		info, err := os.Stat(p) // follows symlinks
		if err != nil {
			return err
		}
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		os.RemoveAll(dst)
		return "", err
	}
	return dst, nil
}
