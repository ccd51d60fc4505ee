package main

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/find-peers/find-peers/libs/pinned"
	"github.com/find-peers/find-peers/tools/build/bazeldeps"
)

// rulesGo is WORKSPACE's name for rules_go, whose SDK BUILD template the Go
// SDK repository is made from (as its go_download_sdk would).
const rulesGo = "io_bazel_rules_go"

var cpu = map[string]string{"amd64": "x86_64", "arm64": "aarch64"}

// goToolchain makes the Go SDK repository from the proxy's golang.org/toolchain
// module (what GOTOOLCHAIN downloads): the same distribution as go.dev's
// archive, in a zip pinned by its own sha256.
func (p *preparer) goToolchain(dir string, s bazeldeps.Source) (string, error) {
	goos, goarch := runtime.GOOS, runtime.GOARCH
	sum, ok := s.GoToolchain[goos+"_"+goarch]
	if !ok {
		return "", fmt.Errorf("bazel/offline.json pins no golang.org/toolchain zip for %s_%s", goos, goarch)
	}
	version := fmt.Sprintf("v0.0.1-go%s.%s-%s", s.Version, goos, goarch)
	how := "golang.org/toolchain@" + version + " (sha256 " + sum[:12] + "…)"
	if fresh(dir, s) {
		return how, nil
	}
	zipPath, err := p.download(version, sum)
	if err != nil {
		return "", err
	}
	tmp := dir + ".tmp"
	if err := os.RemoveAll(tmp); err != nil {
		return "", err
	}
	if err := extractToolchain(zipPath, "golang.org/toolchain@"+version+"/", tmp); err != nil {
		return "", err
	}
	if err := p.sdkBuildFiles(tmp, s.Version, goos, goarch); err != nil {
		return "", err
	}
	return how, replaceDir(tmp, dir, s)
}

// download fetches the toolchain zip into the cache (once) and verifies it.
func (p *preparer) download(version, sum string) (string, error) {
	path := filepath.Join(p.out, "downloads", version+".zip")
	if got, err := pinned.FileSHA256(path); err == nil && got == sum {
		return path, nil
	}
	proxies, err := goProxies()
	if err != nil {
		return "", err
	}
	client := &http.Client{Timeout: 10 * time.Minute}
	var errs []string
	for _, base := range proxies {
		err := pinned.Fetch(client, base+"/golang.org/toolchain/@v/"+version+".zip", path, sum, 0)
		switch {
		case err == nil:
			return path, nil
		case errors.Is(err, pinned.ErrMismatch):
			return "", fmt.Errorf("golang.org/toolchain@%s (bazel/offline.json): %w", version, err)
		}
		errs = append(errs, err.Error())
	}
	return "", fmt.Errorf("golang.org/toolchain@%s from the Go module proxy: %s", version, strings.Join(errs, "; "))
}

// goProxies are the module proxies the host's Go uses (never written down).
func goProxies() ([]string, error) {
	out, err := exec.Command("go", "env", "GOPROXY").Output()
	if err != nil {
		return nil, fmt.Errorf("go env GOPROXY: %w", err)
	}
	var bases []string
	for _, p := range strings.FieldsFunc(strings.TrimSpace(string(out)), func(r rune) bool { return r == ',' || r == '|' }) {
		if p != "direct" && p != "off" {
			bases = append(bases, strings.TrimRight(p, "/"))
		}
	}
	if len(bases) == 0 {
		return nil, fmt.Errorf("no Go module proxy in `go env GOPROXY` (%q)", strings.TrimSpace(string(out)))
	}
	return bases, nil
}

// extractToolchain unpacks the module zip below prefix into dir. Module zips
// carry no file modes: the commands (bin/, pkg/tool/) are made executable.
func extractToolchain(zipPath, prefix, dir string) error {
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		return err
	}
	defer zr.Close()
	for _, f := range zr.File {
		rel, ok := strings.CutPrefix(f.Name, prefix)
		if !ok || rel == "" || strings.HasSuffix(rel, "/") {
			continue
		}
		if !filepath.IsLocal(rel) {
			return fmt.Errorf("toolchain zip: unsafe path %q", f.Name)
		}
		mode := os.FileMode(0o644)
		if strings.HasPrefix(rel, "bin/") || strings.HasPrefix(rel, "pkg/tool/") {
			mode = 0o755
		}
		if err := extractFile(f, filepath.Join(dir, rel), mode); err != nil {
			return err
		}
	}
	return nil
}

func extractFile(f *zip.File, path string, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	r, err := f.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	return writeFrom(path, r, mode)
}

// sdkBuildFiles writes what rules_go's go_download_sdk writes beside the
// distribution: BUILD.bazel from rules_go's own template, ROOT, version.bzl.
func (p *preparer) sdkBuildFiles(dir, version, goos, goarch string) error {
	v, err := os.ReadFile(filepath.Join(dir, "VERSION"))
	if first, _, _ := strings.Cut(string(v), "\n"); err != nil || first != "go"+version {
		return fmt.Errorf("the toolchain's VERSION is %q, want go%s (%v)", first, version, err)
	}
	tmpl, err := os.ReadFile(filepath.Join(p.out, "repos", rulesGo, "go/private/BUILD.sdk.bazel"))
	if err != nil {
		return fmt.Errorf("rules_go's SDK BUILD template: %w", err)
	}
	build := strings.NewReplacer(
		"{goos}", goos, "{goarch}", goarch, "{exe}", "", "{version}", version, "{experiments}", "[]",
		"{exec_compatible_with}", fmt.Sprintf("[%q, %q]", "@platforms//cpu:"+cpu[goarch], "@platforms//os:"+goos),
	).Replace(string(tmpl))
	major, rest, _ := strings.Cut(version, ".")
	minor, patch, _ := strings.Cut(rest, ".")
	var vb bytes.Buffer
	fmt.Fprintf(&vb, "\nMAJOR_VERSION = %q\nMINOR_VERSION = %q\nPATCH_VERSION = %q\nPRERELEASE_SUFFIX = \"\"\n", major, minor, patch)
	for name, data := range map[string]string{
		"BUILD.bazel": build, "ROOT": "", "version.bzl": vb.String(), "REPO.bazel": "",
		"WORKSPACE": "workspace(name = \"go_sdk\")\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			return err
		}
	}
	return nil
}
