// Tests of one built image (go_image's <name>_test; args from images/image.bzl).
// Without args (plain `go test ./...`) they skip: the images come from Bazel.
package images_test

import (
	"archive/tar"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/find-peers/find-peers/libs/httpx/httpxtest"
	"github.com/find-peers/find-peers/libs/ociimage"
	"github.com/find-peers/find-peers/libs/rloc"
)

var (
	layoutArg  = flag.String("layout", "", "rlocation of the OCI layout")
	tarballArg = flag.String("tarball", "", "rlocation of the tarball")
	sbomArg    = flag.String("sbom", "", "rlocation of the SBOM")
	digestArg  = flag.String("digest", "", "rlocation of the digest file")
	nameArg    = flag.String("name", "", "image name")
	portsArg   = flag.String("ports", "", "expected exposed ports, comma-separated")
	envPrefix  = flag.String("env-prefix", "", "service env prefix")
	runArg     = flag.String("run", "serve", "serve or probe")
	wantMods   = flag.String("want-modules", "", "modules the SBOM must list, comma-separated")
	envArgs    multiFlag
)

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func init() { flag.Var(&envArgs, "env", "expected extra env KEY=VALUE (repeatable)") }

func runfile(t *testing.T, p string) string {
	t.Helper()
	if p == "" {
		t.Skip("no image given: run through Bazel (bazel test //images/...)")
	}
	r, err := rloc.Path(p)
	if err != nil {
		t.Fatalf("runfile %s: %v", p, err)
	}
	return r
}

// wantFiles is the whole file system of every image.
var wantFiles = []string{
	"app",
	"etc/",
	"etc/group",
	"etc/nsswitch.conf",
	"etc/passwd",
	"etc/ssl/",
	"etc/ssl/certs/",
	"etc/ssl/certs/ca-certificates.crt",
	"tmp/",
}

func hostPlatform() v1.Platform { return v1.Platform{OS: runtime.GOOS, Architecture: runtime.GOARCH} }

func readIndex(t *testing.T) v1.ImageIndex {
	t.Helper()
	dir, err := ociimage.ResolveLayout(runfile(t, *layoutArg), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	idx, err := ociimage.ReadLayoutIndex(dir)
	if err != nil {
		t.Fatal(err)
	}
	return idx
}

func readSummary(t *testing.T) ociimage.Summary {
	t.Helper()
	data, err := os.ReadFile(runfile(t, *digestArg))
	if err != nil {
		t.Fatal(err)
	}
	var s ociimage.Summary
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestIndexHasBothPlatforms(t *testing.T) {
	idx := readIndex(t)
	sum := readSummary(t)
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	d, _ := idx.Digest()
	if d.String() != sum.IndexDigest {
		t.Errorf("layout index %s, digest file says %s", d, sum.IndexDigest)
	}
	var got []string
	for i, desc := range m.Manifests {
		if desc.Platform == nil {
			t.Fatalf("manifest %d has no platform", i)
		}
		got = append(got, desc.Platform.String())
		if desc.Digest.String() != sum.Images[i].Digest {
			t.Errorf("%s: index %s, digest file %s", desc.Platform, desc.Digest, sum.Images[i].Digest)
		}
	}
	if strings.Join(got, " ") != "linux/amd64 linux/arm64" {
		t.Errorf("platforms %v", got)
	}
	for _, im := range sum.Images {
		t.Logf("%s %s: image %s, compressed %d bytes (layers %v) vs binary %d bytes (%.0f%%)",
			*nameArg, im.Platform, im.Digest, im.CompressedSize, im.LayerSizes, im.BinarySize,
			100*float64(im.CompressedSize)/float64(im.BinarySize))
	}
}

func layerFiles(t *testing.T, l v1.Layer, extract map[string]string) []string {
	t.Helper()
	rc, err := l.Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return names
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
		if h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" || h.ModTime.Unix() != 0 {
			t.Errorf("%s: uid %d gid %d uname %q gname %q mtime %v", h.Name, h.Uid, h.Gid, h.Uname, h.Gname, h.ModTime)
		}
		if h.Name == "app" && h.Mode != 0o555 {
			t.Errorf("/app mode %o, want 555", h.Mode)
		}
		if dst, ok := extract[h.Name]; ok {
			f, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := io.Copy(f, tr); err != nil {
				t.Fatal(err)
			}
			f.Close()
		}
	}
}

func TestImageContentsAndConfig(t *testing.T) {
	idx := readIndex(t)
	m, _ := idx.IndexManifest()
	var wantPorts []string
	for _, p := range strings.Split(*portsArg, ",") {
		if p != "" {
			wantPorts = append(wantPorts, p+"/tcp")
		}
	}
	for _, desc := range m.Manifests {
		t.Run(desc.Platform.String(), func(t *testing.T) {
			img, err := idx.Image(desc.Digest)
			if err != nil {
				t.Fatal(err)
			}
			layers, err := img.Layers()
			if err != nil {
				t.Fatal(err)
			}
			var files []string
			for _, l := range layers {
				files = append(files, layerFiles(t, l, nil)...)
			}
			sort.Strings(files)
			if strings.Join(files, "\n") != strings.Join(wantFiles, "\n") {
				t.Errorf("files:\n%s\nwant exactly:\n%s", strings.Join(files, "\n"), strings.Join(wantFiles, "\n"))
			}
			for _, f := range files {
				if f == "bin/sh" || strings.HasPrefix(f, "bin/") {
					t.Errorf("image has %s (no shell wanted)", f)
				}
			}
			cf, err := img.ConfigFile()
			if err != nil {
				t.Fatal(err)
			}
			c := cf.Config
			if c.User != "65532:65532" {
				t.Errorf("user %q, want 65532:65532 (non-root)", c.User)
			}
			if strings.Join(c.Entrypoint, " ") != "/app" || len(c.Cmd) != 0 {
				t.Errorf("entrypoint %v cmd %v", c.Entrypoint, c.Cmd)
			}
			if cf.OS != desc.Platform.OS || cf.Architecture != desc.Platform.Architecture {
				t.Errorf("config platform %s/%s", cf.OS, cf.Architecture)
			}
			if cf.Created.Unix() != 0 {
				t.Errorf("created %v, want the epoch", cf.Created)
			}
			var ports []string
			for p := range c.ExposedPorts {
				ports = append(ports, p)
			}
			sort.Strings(ports)
			if strings.Join(ports, ",") != strings.Join(wantPorts, ",") {
				t.Errorf("ports %v, want %v", ports, wantPorts)
			}
			for _, e := range append([]string{"SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"}, envArgs...) {
				found := false
				for _, have := range c.Env {
					found = found || have == e
				}
				if !found {
					t.Errorf("env lacks %s: %v", e, c.Env)
				}
			}
			title := (*nameArg)[strings.LastIndex(*nameArg, "/")+1:]
			for _, k := range []string{"org.opencontainers.image.source", "org.opencontainers.image.revision", "org.opencontainers.image.version"} {
				if c.Labels[k] == "" {
					t.Errorf("label %s missing: %v", k, c.Labels)
				}
			}
			if c.Labels["org.opencontainers.image.title"] != title {
				t.Errorf("title label %q, want %q", c.Labels["org.opencontainers.image.title"], title)
			}
		})
	}
}

func TestSBOM(t *testing.T) {
	data, err := os.ReadFile(runfile(t, *sbomArg))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		SPDXVersion string `json:"spdxVersion"`
		Packages    []struct {
			Name        string `json:"name"`
			VersionInfo string `json:"versionInfo"`
		} `json:"packages"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.SPDXVersion != "SPDX-2.3" {
		t.Errorf("spdxVersion %q", doc.SPDXVersion)
	}
	have := map[string]string{}
	for _, p := range doc.Packages {
		have[p.Name] = p.VersionInfo
	}
	want := []string{"github.com/find-peers/find-peers", "stdlib"}
	for _, m := range strings.Split(*wantMods, ",") {
		if m != "" {
			want = append(want, m)
		}
	}
	for _, m := range want {
		if have[m] == "" {
			t.Errorf("SBOM lacks %s (has %v)", m, have)
		}
	}
	t.Logf("SBOM: %d packages", len(doc.Packages))
}

// extractApp writes the host-platform image's /app (from the tarball, the
// image that `podman load` gets) into a temp dir.
func extractApp(t *testing.T) string {
	t.Helper()
	img, err := tarball.ImageFromPath(runfile(t, *tarballArg), nil)
	if err != nil {
		t.Fatal(err)
	}
	cf, _ := img.ConfigFile()
	if cf.OS != hostPlatform().OS || cf.Architecture != hostPlatform().Architecture {
		t.Skipf("tarball is %s/%s, host is %s", cf.OS, cf.Architecture, hostPlatform())
	}
	sum := readSummary(t)
	id, _ := img.ConfigName()
	var want string
	for _, im := range sum.Images {
		if im.Platform == sum.TarballPlatform {
			want = im.ImageID
		}
	}
	if id.String() != want {
		t.Errorf("tarball image id %s, want %s (the %s image of the index)", id, want, sum.TarballPlatform)
	}
	layers, _ := img.Layers()
	app := filepath.Join(t.TempDir(), "app")
	layerFiles(t, layers[len(layers)-1], map[string]string{"app": app})
	if _, err := os.Stat(app); err != nil {
		t.Fatal(err)
	}
	return app
}

func command(app string, env []string, args ...string) *exec.Cmd {
	cmd := exec.Command(app, args...)
	cmd.Env = append([]string{"PATH=/usr/bin:/bin"}, env...)
	return cmd
}

func TestRunApp(t *testing.T) {
	app := extractApp(t)
	listenEnv := *envPrefix + "_LISTEN_ADDR"

	// --help works everywhere and names the listen-address flag.
	out, err := command(app, nil, "--help").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "listen-addr") {
		t.Errorf("/app --help: %v\n%s", err, out)
	}

	switch *runArg {
	case "serve":
		addr := httpxtest.FreeAddr(t)
		env := []string{listenEnv + "=" + addr}
		cmd := command(app, env)
		var logs strings.Builder
		cmd.Stdout, cmd.Stderr = &logs, &logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() {
			_ = cmd.Process.Signal(os.Interrupt)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				_ = cmd.Process.Kill()
				t.Error("/app did not stop on SIGINT")
			}
			t.Logf("logs:\n%s", logs.String())
		}()
		deadline := time.Now().Add(15 * time.Second)
		for {
			resp, err := http.Get("http://" + addr + "/healthz")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode != 200 {
					t.Fatalf("GET /healthz: %d", resp.StatusCode)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("/healthz never answered on %s: %v", addr, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
		// The image's health check command (compose uses ["/app","health"]).
		if out, err := command(app, env, "health").CombinedOutput(); err != nil {
			t.Errorf("/app health: %v\n%s", err, out)
		}
	case "probe":
		// The service needs Cassandra before it listens, so check the
		// `health` subcommand against a stub /healthz: 0 when 200, 1 when down.
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/healthz" {
				fmt.Fprintln(w, "ok")
				return
			}
			http.NotFound(w, r)
		}))
		defer srv.Close()
		up := strings.TrimPrefix(srv.URL, "http://")
		if out, err := command(app, []string{listenEnv + "=" + up}, "health").CombinedOutput(); err != nil {
			t.Errorf("/app health against a healthy stub: %v\n%s", err, out)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, app, "health")
		cmd.Env = []string{listenEnv + "=" + httpxtest.FreeAddr(t)}
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
			t.Errorf("/app health with nothing listening: %v (want exit 1)\n%s", err, out)
		}
	default:
		t.Fatalf("--run=%s", *runArg)
	}
}
