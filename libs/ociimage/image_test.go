package ociimage

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

// fakeBinaries writes two distinct "binaries" (the image code does not care
// what they are) and returns a spec using them.
func fakeSpec(t *testing.T) Spec {
	t.Helper()
	dir := t.TempDir()
	amd := filepath.Join(dir, "app_amd64")
	arm := filepath.Join(dir, "app_arm64")
	if err := os.WriteFile(amd, bytes.Repeat([]byte("amd64 binary "), 1000), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(arm, bytes.Repeat([]byte("arm64 binary "), 1000), 0o600); err != nil {
		t.Fatal(err)
	}
	return Spec{
		Name: "find-peers/test",
		Binaries: []Binary{
			{Platform: v1.Platform{OS: "linux", Architecture: "arm64"}, Path: arm},
			{Platform: v1.Platform{OS: "linux", Architecture: "amd64"}, Path: amd},
		},
		Ports:  []string{"9000"},
		Env:    []string{"TEST_LISTEN_ADDR=:9000"},
		Labels: map[string]string{"org.opencontainers.image.title": "test"},
	}
}

func layerEntries(t *testing.T, l v1.Layer) map[string]*tar.Header {
	t.Helper()
	rc, err := l.Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	got := map[string]*tar.Header{}
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got[h.Name] = h
		names = append(names, h.Name)
	}
	if !sort.StringsAreSorted(names) {
		t.Errorf("tar entries not sorted: %v", names)
	}
	return got
}

func TestBaseLayerContents(t *testing.T) {
	l, err := BaseLayer()
	if err != nil {
		t.Fatal(err)
	}
	got := layerEntries(t, l)
	want := map[string]int64{
		"etc/": 0o755, "etc/group": 0o644, "etc/nsswitch.conf": 0o644, "etc/passwd": 0o644,
		"etc/ssl/": 0o755, "etc/ssl/certs/": 0o755, "etc/ssl/certs/ca-certificates.crt": 0o644,
		"tmp/": 0o1777,
	}
	if len(got) != len(want) {
		t.Errorf("entries = %d, want %d", len(got), len(want))
	}
	for name, mode := range want {
		h, ok := got[name]
		if !ok {
			t.Errorf("missing %s", name)
			continue
		}
		if h.Mode != mode {
			t.Errorf("%s mode = %o, want %o", name, h.Mode, mode)
		}
		if h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" || !h.ModTime.Equal(Epoch) {
			t.Errorf("%s: uid=%d gid=%d uname=%q gname=%q mtime=%v, want 0/0/''/''/epoch", name, h.Uid, h.Gid, h.Uname, h.Gname, h.ModTime)
		}
	}
	mt, _ := l.MediaType()
	if mt != types.OCILayer {
		t.Errorf("media type %s", mt)
	}
}

func TestCABundleParses(t *testing.T) {
	data := CABundlePEM()
	n := 0
	for len(data) > 0 {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if _, err := x509.ParseCertificate(b.Bytes); err != nil {
			t.Fatalf("cert %d: %v", n, err)
		}
		n++
	}
	if n < 100 {
		t.Errorf("only %d CA certificates", n)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(CABundlePEM()) {
		t.Error("bundle does not load into a cert pool")
	}
}

func TestPasswdHasNonroot(t *testing.T) {
	for _, f := range BaseFiles() {
		if f.Path == "/etc/passwd" && !strings.Contains(string(f.Content), "nonroot:x:65532:65532:") {
			t.Errorf("passwd = %q", f.Content)
		}
		if f.Path == "/etc/group" && !strings.Contains(string(f.Content), "nonroot:x:65532:") {
			t.Errorf("group = %q", f.Content)
		}
	}
}

func TestNormalizePorts(t *testing.T) {
	got, err := NormalizePorts([]string{"9000", "53/udp", "8081/tcp"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "53/udp,8081/tcp,9000/tcp" {
		t.Errorf("got %v", got)
	}
	for _, bad := range []string{"", "0", "65536", "80/sctp", "x", "080"} {
		if _, err := NormalizePorts([]string{bad}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestBuildIndex(t *testing.T) {
	spec := fakeSpec(t)
	b, err := Build(spec)
	if err != nil {
		t.Fatal(err)
	}
	// Validate what is written (mutate's in-memory manifests carry empty
	// annotation maps that validate's round trip flags; the bytes are fine).
	dir := filepath.Join(t.TempDir(), "x.oci")
	if err := WriteLayout(dir, b.Index, "latest"); err != nil {
		t.Fatal(err)
	}
	written, err := ReadLayoutIndex(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Index(written); err != nil {
		t.Fatalf("validate index: %v", err)
	}
	m, err := b.Index.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if m.MediaType != types.OCIImageIndex || len(m.Manifests) != 2 {
		t.Fatalf("index %s with %d manifests", m.MediaType, len(m.Manifests))
	}
	for i, want := range []string{"linux/amd64", "linux/arm64"} {
		d := m.Manifests[i]
		if d.Platform == nil || d.Platform.String() != want || d.MediaType != types.OCIManifestSchema1 {
			t.Errorf("manifest %d: %+v, want %s", i, d, want)
		}
	}
	for i, img := range b.Images {
		mf, _ := img.Manifest()
		if mf.MediaType != types.OCIManifestSchema1 || mf.Config.MediaType != types.OCIConfigJSON {
			t.Errorf("media types %s / %s", mf.MediaType, mf.Config.MediaType)
		}
		cf, _ := img.ConfigFile()
		c := cf.Config
		if c.User != "65532:65532" || strings.Join(c.Entrypoint, " ") != "/app" || c.WorkingDir != "/" {
			t.Errorf("config user=%q entrypoint=%v workdir=%q", c.User, c.Entrypoint, c.WorkingDir)
		}
		if _, ok := c.ExposedPorts["9000/tcp"]; !ok || len(c.ExposedPorts) != 1 {
			t.Errorf("ports %v", c.ExposedPorts)
		}
		wantEnv := "PATH=/usr/local/bin:/usr/bin:/bin SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt TEST_LISTEN_ADDR=:9000"
		if strings.Join(c.Env, " ") != wantEnv {
			t.Errorf("env %v", c.Env)
		}
		if c.Labels["org.opencontainers.image.title"] != "test" {
			t.Errorf("labels %v", c.Labels)
		}
		if !cf.Created.Time.Equal(Epoch) || cf.Architecture != b.Platforms[i].Architecture || cf.OS != "linux" {
			t.Errorf("created %v arch %s os %s", cf.Created, cf.Architecture, cf.OS)
		}
		layers, _ := img.Layers()
		if len(layers) != 2 {
			t.Fatalf("layers %d", len(layers))
		}
		app := layerEntries(t, layers[1])
		h := app["app"]
		if len(app) != 1 || h == nil || h.Mode != 0o555 || h.Uid != 0 || h.Size != b.BinSizes[i] {
			t.Errorf("app layer %v", app)
		}
	}
}

// digestsOf walks a layout and returns relative path -> content.
func filesOf(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[rel] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func buildAll(t *testing.T, spec Spec, dir string) *Summary {
	t.Helper()
	b, err := Build(spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteLayout(filepath.Join(dir, "img.oci"), b.Index, "latest"); err != nil {
		t.Fatal(err)
	}
	img, _ := b.ImageFor(v1.Platform{OS: "linux", Architecture: "amd64"})
	if err := WriteTarball(filepath.Join(dir, "img.tar"), spec.Name+":latest", img); err != nil {
		t.Fatal(err)
	}
	s, err := Summarize(spec.Name, b)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestReproducible builds the same image twice, into two different temp
// dirs, a second apart, and compares every byte.
func TestReproducible(t *testing.T) {
	spec := fakeSpec(t)
	d1, d2 := t.TempDir(), t.TempDir()
	s1 := buildAll(t, spec, d1)
	time.Sleep(1100 * time.Millisecond)
	s2 := buildAll(t, spec, d2)
	j1, _ := json.Marshal(s1)
	j2, _ := json.Marshal(s2)
	if string(j1) != string(j2) {
		t.Errorf("summaries differ:\n%s\n%s", j1, j2)
	}
	f1, f2 := filesOf(t, d1), filesOf(t, d2)
	if len(f1) != len(f2) {
		t.Errorf("file counts differ: %d vs %d", len(f1), len(f2))
	}
	for name, c := range f1 {
		if f2[name] != c {
			t.Errorf("%s differs between builds", name)
		}
	}
	t.Logf("index %s; amd64 %s", s1.IndexDigest, s1.Images[0].Digest)

	// The layout holds exactly: oci-layout, index.json, and the blobs.
	if _, ok := f1["img.oci/oci-layout"]; !ok {
		t.Error("no oci-layout")
	}
	idx, err := ReadLayoutIndex(filepath.Join(d1, "img.oci"))
	if err != nil {
		t.Fatal(err)
	}
	dg, _ := idx.Digest()
	if dg.String() != s1.IndexDigest {
		t.Errorf("layout index %s, summary %s", dg, s1.IndexDigest)
	}
	// The tarball loads back to the same config (image id) as the amd64 image.
	img, err := tarball.ImageFromPath(filepath.Join(d1, "img.tar"), nil)
	if err != nil {
		t.Fatal(err)
	}
	cn, _ := img.ConfigName()
	if cn.String() != s1.Images[0].ImageID {
		t.Errorf("tarball image id %s, want %s", cn, s1.Images[0].ImageID)
	}
}

func TestCreatedStamp(t *testing.T) {
	spec := fakeSpec(t)
	a, _ := Build(spec)
	spec.Created = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	b, _ := Build(spec)
	da, _ := a.Index.Digest()
	db, _ := b.Index.Digest()
	if da == db {
		t.Error("an explicit stamp should change the digest")
	}
	cf, _ := b.Images[0].ConfigFile()
	if !cf.Created.Time.Equal(spec.Created) {
		t.Errorf("created %v", cf.Created)
	}
}

func TestLayerTarRejects(t *testing.T) {
	for _, files := range [][]File{
		{{Path: "/a/../b", Mode: 0o644}},
		{{Path: "/", Mode: 0o755}},
		{{Path: "/x", Mode: 0o644}, {Path: "/x", Mode: 0o644}},
	} {
		if _, err := LayerTar(files); err == nil {
			t.Errorf("%v accepted", files)
		}
	}
}

func TestGzipHeaderFixed(t *testing.T) {
	l, _ := AppLayer([]byte("x"))
	rc, _ := l.Compressed()
	defer rc.Close()
	zr, err := gzip.NewReader(rc)
	if err != nil {
		t.Fatal(err)
	}
	if zr.Name != "" || !zr.ModTime.IsZero() {
		t.Errorf("gzip header name=%q mtime=%v", zr.Name, zr.ModTime)
	}
}

// TestLayerPrecompressedSameDigest: Layer gzips once itself; the blob must be
// byte-identical to what tarball.LayerFromOpener makes from the plain tar at
// the same level, so that compressing once did not change any image digest.
func TestLayerPrecompressedSameDigest(t *testing.T) {
	content := make([]byte, 3<<20) // large enough to span many deflate blocks
	for i := range content {
		content[i] = byte(i*7 + i/4096)
	}
	files := []File{{Path: AppPath, Mode: 0o555, Content: content}}
	got, err := Layer(files)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := LayerTar(files)
	if err != nil {
		t.Fatal(err)
	}
	want, err := tarball.LayerFromOpener(
		func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil },
		tarball.WithMediaType(types.OCILayer),
		tarball.WithCompressionLevel(gzip.BestCompression),
	)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		what      string
		got, want func() (v1.Hash, error)
	}{{"digest", got.Digest, want.Digest}, {"diff id", got.DiffID, want.DiffID}} {
		g, err1 := c.got()
		w, err2 := c.want()
		if err1 != nil || err2 != nil || g != w {
			t.Errorf("%s: Layer %v (%v), gzip by go-containerregistry %v (%v)", c.what, g, err1, w, err2)
		}
	}
	if mt, _ := got.MediaType(); mt != types.OCILayer {
		t.Errorf("media type %s", mt)
	}
}

func TestIsLocalRegistry(t *testing.T) {
	for h, want := range map[string]bool{
		"localhost:5000": true, "127.0.0.1:5000/x": true, "[::1]:5000": true, "localhost": true,
		"registry.example:5000": false, "10.0.0.1:5000": false,
	} {
		if IsLocalRegistry(h) != want {
			t.Errorf("IsLocalRegistry(%q) = %v", h, !want)
		}
	}
}
