// Package ociimage builds reproducible, multi-platform OCI images for static Go
// binaries with go-containerregistry, the way ko does, but from files handed
// over by Bazel: no Dockerfile, no base image pulled from anywhere.
//
// Every image has two layers:
//
//   - a base layer: /etc/passwd and /etc/group (root and nonroot 65532),
//     /etc/nsswitch.conf, /etc/ssl/certs/ca-certificates.crt (Mozilla's roots
//     from golang.org/x/crypto/x509roots/fallback, pinned by go.sum) and /tmp;
//   - an app layer: the binary at /app (0555, root-owned).
//
// Reproducibility: tar entries (libs/reprotar) are written in sorted order with a fixed
// mtime (the Unix epoch), uid/gid 0, fixed modes and no user/group names;
// gzip headers carry no name or time; the config's created time is fixed
// (Spec.Created, the epoch unless a stamp is given explicitly); media types
// are OCI throughout. The same inputs give byte-identical blobs and digests,
// whatever the output directory, machine or time.
package ociimage

import (
	"bytes"
	"compress/gzip"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"golang.org/x/crypto/x509roots/fallback/bundle"

	"github.com/find-peers/find-peers/libs/reprotar"
)

const (
	// AppPath is where the binary lives in the image.
	AppPath = "/app"
	// NonrootUID is the uid and gid the container runs as.
	NonrootUID = 65532
	// CACertsPath is the CA bundle the image ships (SSL_CERT_FILE points at it).
	CACertsPath = "/etc/ssl/certs/ca-certificates.crt"
	// DefaultPath is the PATH of the image's environment.
	DefaultPath = "/usr/local/bin:/usr/bin:/bin"
	// RefNameAnnotation names the index in the layout's index.json.
	RefNameAnnotation = "org.opencontainers.image.ref.name"
)

// Epoch is the default creation time: the Unix epoch, so that builds do not
// depend on the clock (or on SOURCE_DATE_EPOCH varying between machines).
var Epoch = reprotar.Epoch

// File is one entry of a layer.
type File struct {
	Path    string // absolute path in the image; directories end in "/"
	Mode    int64  // permission bits (and sticky bit)
	Content []byte // nil for directories
}

// IsDir reports whether f is a directory entry.
func (f File) IsDir() bool { return strings.HasSuffix(f.Path, "/") }

// Binary is a static executable for one platform.
type Binary struct {
	Platform v1.Platform
	Path     string
}

// Spec describes a multi-platform image.
type Spec struct {
	Name     string   // e.g. find-peers/beacon (used in labels and the tarball tag)
	Binaries []Binary // one per platform
	Ports    []string // "8081" or "8081/tcp"
	Env      []string // KEY=VALUE, after PATH and SSL_CERT_FILE
	Labels   map[string]string
	Created  time.Time // zero means Epoch
}

// ParsePlatform parses "os/arch[/variant]".
func ParsePlatform(s string) (v1.Platform, error) {
	parts := strings.Split(s, "/")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
		return v1.Platform{}, fmt.Errorf("platform %q: want os/arch[/variant]", s)
	}
	p := v1.Platform{OS: parts[0], Architecture: parts[1]}
	if len(parts) == 3 {
		p.Variant = parts[2]
	}
	return p, nil
}

// NormalizePorts turns "8081" into "8081/tcp", validates and sorts.
func NormalizePorts(ports []string) ([]string, error) {
	out := make([]string, 0, len(ports))
	for _, p := range ports {
		num, proto, ok := strings.Cut(p, "/")
		if !ok {
			proto = "tcp"
		}
		var n int
		if _, err := fmt.Sscanf(num, "%d", &n); err != nil || n < 1 || n > 65535 || fmt.Sprint(n) != num {
			return nil, fmt.Errorf("port %q: want a number 1-65535, optionally /tcp or /udp", p)
		}
		if proto != "tcp" && proto != "udp" {
			return nil, fmt.Errorf("port %q: protocol must be tcp or udp", p)
		}
		out = append(out, num+"/"+proto)
	}
	sort.Strings(out)
	return out, nil
}

// CABundlePEM returns the root certificates of the pinned
// golang.org/x/crypto/x509roots/fallback bundle as PEM, in bundle order.
// Roots carrying extra constraints (distrust-after dates) that a PEM file
// cannot express are left out, as Debian's ca-certificates does.
func CABundlePEM() []byte {
	var buf bytes.Buffer
	for r := range bundle.Roots() {
		if r.Constraint != nil {
			continue
		}
		_ = pem.Encode(&buf, &pem.Block{Type: "CERTIFICATE", Bytes: r.Certificate})
	}
	return buf.Bytes()
}

// BaseFiles returns the base layer's entries.
func BaseFiles() []File {
	passwd := "root:x:0:0:root:/root:/sbin/nologin\n" +
		fmt.Sprintf("nonroot:x:%d:%d:nonroot:/nonexistent:/sbin/nologin\n", NonrootUID, NonrootUID)
	group := "root:x:0:\n" + fmt.Sprintf("nonroot:x:%d:\n", NonrootUID)
	return []File{
		{Path: "/etc/", Mode: 0o755},
		{Path: "/etc/group", Mode: 0o644, Content: []byte(group)},
		{Path: "/etc/nsswitch.conf", Mode: 0o644, Content: []byte("hosts: files dns\n")},
		{Path: "/etc/passwd", Mode: 0o644, Content: []byte(passwd)},
		{Path: "/etc/ssl/", Mode: 0o755},
		{Path: "/etc/ssl/certs/", Mode: 0o755},
		{Path: CACertsPath, Mode: 0o644, Content: CABundlePEM()},
		{Path: "/tmp/", Mode: 0o1777},
	}
}

// LayerTar writes files as a tar archive with libs/reprotar: entries sorted
// by path, mtime Epoch, uid/gid 0, no user or group names.
func LayerTar(files []File) ([]byte, error) {
	sorted := append([]File(nil), files...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Path < sorted[j].Path })
	var buf bytes.Buffer
	tw := reprotar.NewWriter(&buf)
	seen := map[string]bool{}
	for _, f := range sorted {
		name := strings.TrimPrefix(f.Path, "/")
		if name == "" || path.Clean("/"+name) != "/"+strings.TrimSuffix(name, "/") {
			return nil, fmt.Errorf("layer entry %q: want a clean absolute path", f.Path)
		}
		if seen[name] {
			return nil, fmt.Errorf("layer entry %q: duplicate", f.Path)
		}
		seen[name] = true
		var err error
		if f.IsDir() {
			err = tw.Dir(name, f.Mode, 0, 0)
		} else {
			err = tw.File(name, f.Mode, f.Content)
		}
		if err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Layer makes a gzip-compressed OCI layer of files.
//
// The tar is compressed once, here. Handed an uncompressed opener,
// tarball.LayerFromOpener would gzip the whole layer again for the digest
// and for every writer (layout, tarball): at BestCompression that was most
// of an image build's time (see docs/BENCHMARKS.md, section 5). Given gzip
// bytes, it only decompresses them (fast) for the diff id. The bytes are the
// same either way (compress/gzip's output does not depend on how the input
// is split into writes), so digests do not change.
func Layer(files []File) (v1.Layer, error) {
	raw, err := LayerTar(files)
	if err != nil {
		return nil, err
	}
	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(raw); err != nil {
		return nil, fmt.Errorf("gzip layer: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("gzip layer: %w", err)
	}
	compressed := gz.Bytes()
	return tarball.LayerFromOpener(
		func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(compressed)), nil },
		tarball.WithMediaType(types.OCILayer),
	)
}

// BaseLayer is the layer of BaseFiles.
func BaseLayer() (v1.Layer, error) { return Layer(BaseFiles()) }

// AppLayer puts the binary at /app, mode 0555, root-owned.
func AppLayer(binary []byte) (v1.Layer, error) {
	return Layer([]File{{Path: AppPath, Mode: 0o555, Content: binary}})
}

// Config returns the container config of spec (without rootfs/history,
// which mutate.Append fills in).
func Config(spec Spec) (v1.Config, error) {
	ports, err := NormalizePorts(spec.Ports)
	if err != nil {
		return v1.Config{}, err
	}
	env := []string{"PATH=" + DefaultPath, "SSL_CERT_FILE=" + CACertsPath}
	for _, e := range spec.Env {
		k, _, ok := strings.Cut(e, "=")
		if !ok || k == "" {
			return v1.Config{}, fmt.Errorf("env %q: want KEY=VALUE", e)
		}
		env = append(env, e)
	}
	cfg := v1.Config{
		User:       fmt.Sprintf("%d:%d", NonrootUID, NonrootUID),
		Entrypoint: []string{AppPath},
		WorkingDir: "/",
		Env:        env,
	}
	if len(ports) > 0 {
		cfg.ExposedPorts = map[string]struct{}{}
		for _, p := range ports {
			cfg.ExposedPorts[p] = struct{}{}
		}
	}
	if len(spec.Labels) > 0 {
		cfg.Labels = map[string]string{}
		for k, v := range spec.Labels {
			cfg.Labels[k] = v
		}
	}
	return cfg, nil
}

func created(spec Spec) time.Time {
	if spec.Created.IsZero() {
		return Epoch
	}
	return spec.Created.UTC()
}

// Image builds the single-platform image of binary (its bytes) for p.
// base is shared between platforms (it is platform-independent).
func Image(spec Spec, p v1.Platform, base v1.Layer, binary []byte) (v1.Image, error) {
	cfg, err := Config(spec)
	if err != nil {
		return nil, err
	}
	app, err := AppLayer(binary)
	if err != nil {
		return nil, err
	}
	when := v1.Time{Time: created(spec)}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.Append(img,
		mutate.Addendum{Layer: base, MediaType: types.OCILayer, History: v1.History{
			Created: when, CreatedBy: "find-peers imagebuilder: base (passwd, group, nsswitch.conf, CA certificates, /tmp)",
		}},
		mutate.Addendum{Layer: app, MediaType: types.OCILayer, History: v1.History{
			Created: when, CreatedBy: "find-peers imagebuilder: " + AppPath,
		}},
	)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.Architecture = p.Architecture
	cf.OS = p.OS
	cf.Variant = p.Variant
	cf.Config = cfg
	cf.Created = when
	cf.Author = ""
	cf.Container = ""
	cf.DockerVersion = ""
	return mutate.ConfigFile(img, cf)
}

// Built is the result of Build.
type Built struct {
	Index     v1.ImageIndex
	Platforms []v1.Platform // sorted, as in the index
	Images    []v1.Image    // same order
	BinSizes  []int64       // same order
}

// Build builds one image per binary and an OCI image index over them,
// ordered by platform string.
func Build(spec Spec) (*Built, error) {
	if spec.Name == "" {
		return nil, fmt.Errorf("image name is empty")
	}
	if len(spec.Binaries) == 0 {
		return nil, fmt.Errorf("image %s: no binaries", spec.Name)
	}
	bins := append([]Binary(nil), spec.Binaries...)
	sort.Slice(bins, func(i, j int) bool { return bins[i].Platform.String() < bins[j].Platform.String() })
	for i := 1; i < len(bins); i++ {
		if bins[i].Platform.String() == bins[i-1].Platform.String() {
			return nil, fmt.Errorf("image %s: two binaries for %s", spec.Name, bins[i].Platform.String())
		}
	}
	base, err := BaseLayer()
	if err != nil {
		return nil, err
	}
	out := &Built{}
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	var adds []mutate.IndexAddendum
	for _, b := range bins {
		data, err := os.ReadFile(b.Path)
		if err != nil {
			return nil, fmt.Errorf("image %s: %w", spec.Name, err)
		}
		img, err := Image(spec, b.Platform, base, data)
		if err != nil {
			return nil, fmt.Errorf("image %s (%s): %w", spec.Name, b.Platform.String(), err)
		}
		p := b.Platform
		adds = append(adds, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{
			MediaType: types.OCIManifestSchema1,
			Platform:  &p,
		}})
		out.Platforms = append(out.Platforms, p)
		out.Images = append(out.Images, img)
		out.BinSizes = append(out.BinSizes, int64(len(data)))
	}
	out.Index = mutate.AppendManifests(idx, adds...)
	return out, nil
}

// ImageFor returns the image of platform p.
func (b *Built) ImageFor(p v1.Platform) (v1.Image, bool) {
	for i, q := range b.Platforms {
		if q.Equals(p) {
			return b.Images[i], true
		}
	}
	return nil, false
}
