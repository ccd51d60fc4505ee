package main

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/find-peers/find-peers/tools/build/bazeldeps"
)

const workspaceSrc = `
http_archive(
    name = "rules_cc",
    sha256 = "7e2a1f6c5dd908e6e88d7c80257c99d14e16fa985b56342287fddb6a32c435b5",
    urls = ["https://github.com/bazelbuild/rules_cc/releases/download/0.0.11/rules_cc-0.0.11.tar.gz"],
)
http_archive(
    name = "platforms",
    sha256 = "218efe8ee736d26a3572663b374a253c012b716d8af0c07e842e82f238a0a7ee",
    urls = ["https://github.com/bazelbuild/platforms/releases/download/0.0.10/platforms-0.0.10.tar.gz"],
)
`

const manifestSrc = `{"repositories": {
  "rules_cc": {"version": "0.0.11", "debian": "bazel-rules-cc", "path": "/usr/share/bazel/rules/cc", "debian_orig_is_upstream": true},
  "platforms": {"version": "0.0.10", "debian": "bazel-platforms", "path": "/usr/share/bazel/tools/platforms"}
}}`

const sourcesIndex = `Package: bazel-rules-cc
Version: 0.0.11-3
Checksums-Sha256:
 aaaa 1 bazel-rules-cc_0.0.11-3.dsc
 7e2a1f6c5dd908e6e88d7c80257c99d14e16fa985b56342287fddb6a32c435b5 202476 bazel-rules-cc_0.0.11.orig.tar.gz
 bbbb 2 bazel-rules-cc_0.0.11-3.debian.tar.xz
Directory: pool/main/b/bazel-rules-cc

Package: bazel-platforms
Checksums-Sha256:
 3df33228654e56b09f17613613767b052581b822d57cb9cfd5e7b19a8e617b42 12933 bazel-platforms_0.0.10.orig.tar.gz
`

func parsed(t *testing.T, ws, manifest string) (*bazeldeps.Workspace, *bazeldeps.Manifest) {
	t.Helper()
	w, err := bazeldeps.ParseWorkspace("WORKSPACE", []byte(ws))
	if err != nil {
		t.Fatal(err)
	}
	m, err := bazeldeps.ParseManifest([]byte(manifest))
	if err != nil {
		t.Fatal(err)
	}
	return w, m
}

func checkSources(t *testing.T, manifest, index string) (string, error) {
	t.Helper()
	w, m := parsed(t, workspaceSrc, manifest)
	path := filepath.Join(t.TempDir(), "Sources")
	if err := os.WriteFile(path, []byte(index), 0o644); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	err := checkDebianSources(w, m, path, &log)
	return log.String(), err
}

func TestCheckDebianSources(t *testing.T) {
	log, err := checkSources(t, manifestSrc, sourcesIndex)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log, "same bytes: rules_cc") || !strings.Contains(log, "repacked:   platforms") {
		t.Errorf("log = %q", log)
	}

	// Debian's orig tarball of rules_cc changed: not the pinned archive any more.
	_, err = checkSources(t, manifestSrc, strings.Replace(sourcesIndex, " 7e2a1f6c", " 0e2a1f6c", 1))
	if err == nil || !strings.Contains(err.Error(), "rules_cc: bazel-rules-cc_0.0.11.orig.tar.gz is 0e2a1f6c") {
		t.Errorf("err = %v, want the changed rules_cc hash named", err)
	}
	// Debian's platforms tarball is the upstream one: the manifest must say so.
	_, err = checkSources(t, manifestSrc, strings.Replace(sourcesIndex, "3df33228654e56b09f17613613767b052581b822d57cb9cfd5e7b19a8e617b42", "218efe8ee736d26a3572663b374a253c012b716d8af0c07e842e82f238a0a7ee", 1))
	if err == nil || !strings.Contains(err.Error(), "platforms: bazel-platforms_0.0.10.orig.tar.gz is the upstream archive") {
		t.Errorf("err = %v", err)
	}
	// A version Debian's index does not have.
	_, err = checkSources(t, manifestSrc, strings.Replace(sourcesIndex, "bazel-platforms_0.0.10", "bazel-platforms_0.0.9", 1))
	if err == nil || !strings.Contains(err.Error(), "has no bazel-platforms_0.0.10.orig.tar.gz") {
		t.Errorf("err = %v", err)
	}
}

func writeZip(t *testing.T, files map[string]string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tc.zip")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return path
}

func TestExtractToolchain(t *testing.T) {
	const prefix = "golang.org/toolchain@v0.0.1-go1.26.8.linux-amd64/"
	zipPath := writeZip(t, map[string]string{
		prefix + "VERSION":                        "go1.26.8\ntime x\n",
		prefix + "bin/go":                         "#!go",
		prefix + "pkg/tool/linux_amd64/compile":   "compile",
		prefix + "src/fmt/print.go":               "package fmt",
		"golang.org/toolchain@other/not-this-one": "x",
	})
	dir := filepath.Join(t.TempDir(), "sdk")
	if err := extractToolchain(zipPath, prefix, dir); err != nil {
		t.Fatal(err)
	}
	for path, mode := range map[string]os.FileMode{"bin/go": 0o755, "pkg/tool/linux_amd64/compile": 0o755, "src/fmt/print.go": 0o644} {
		st, err := os.Stat(filepath.Join(dir, path))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != mode {
			t.Errorf("%s: mode %v, want %v", path, st.Mode().Perm(), mode)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "not-this-one")); err == nil {
		t.Error("a file outside the prefix was extracted")
	}

	evil := writeZip(t, map[string]string{prefix + "../escape": "x"})
	if err := extractToolchain(evil, prefix, filepath.Join(t.TempDir(), "sdk")); err == nil || !strings.Contains(err.Error(), "unsafe path") {
		t.Errorf("err = %v, want an unsafe path refused", err)
	}
}

func TestSDKBuildFiles(t *testing.T) {
	out := t.TempDir()
	tmpl := filepath.Join(out, "repos", rulesGo, "go/private/BUILD.sdk.bazel")
	os.MkdirAll(filepath.Dir(tmpl), 0o755)
	os.WriteFile(tmpl, []byte(`go_sdk(goos = "{goos}", goarch = "{goarch}", go = "bin/go{exe}", version = "{version}", experiments = {experiments})
go_tool_binary(exec_compatible_with = {exec_compatible_with})
`), 0o644)
	dir := filepath.Join(out, "sdk")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "VERSION"), []byte("go1.26.8\ntime 2026\n"), 0o644)
	p := &preparer{out: out}
	if err := p.sdkBuildFiles(dir, "1.26.8", "linux", "arm64"); err != nil {
		t.Fatal(err)
	}
	build, _ := os.ReadFile(filepath.Join(dir, "BUILD.bazel"))
	want := `go_sdk(goos = "linux", goarch = "arm64", go = "bin/go", version = "1.26.8", experiments = [])
go_tool_binary(exec_compatible_with = ["@platforms//cpu:aarch64", "@platforms//os:linux"])
`
	if string(build) != want {
		t.Errorf("BUILD.bazel =\n%s\nwant\n%s", build, want)
	}
	version, _ := os.ReadFile(filepath.Join(dir, "version.bzl"))
	if !strings.Contains(string(version), `MINOR_VERSION = "26"`) || !strings.Contains(string(version), `PATCH_VERSION = "8"`) {
		t.Errorf("version.bzl = %s", version)
	}
	for _, f := range []string{"ROOT", "REPO.bazel", "WORKSPACE"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}

	// A distribution of another version is refused.
	os.WriteFile(filepath.Join(dir, "VERSION"), []byte("go1.26.7\n"), 0o644)
	if err := p.sdkBuildFiles(dir, "1.26.8", "linux", "arm64"); err == nil || !strings.Contains(err.Error(), `VERSION is "go1.26.7", want go1.26.8`) {
		t.Errorf("err = %v", err)
	}
}

func TestRunNamesProblems(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "bazel"), 0o755)
	os.WriteFile(filepath.Join(dir, "WORKSPACE"), []byte(workspaceSrc), 0o644)
	// rules_cc's offline version drifted.
	os.WriteFile(filepath.Join(dir, "bazel", "offline.json"), []byte(strings.Replace(manifestSrc, `"0.0.11"`, `"0.0.12"`, 1)), 0o644)
	var stderr bytes.Buffer
	if rc := run([]string{"prepare", "-workspace", dir, "-out", t.TempDir()}, os.Getenv, &stderr); rc != 1 {
		t.Fatalf("rc = %d, want 1; stderr: %s", rc, &stderr)
	}
	for _, want := range []string{"rules_cc: WORKSPACE has 0.0.11, offline bazel/offline.json has 0.0.12", "no go_download_sdk"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr %q lacks %q", stderr.String(), want)
		}
	}
	stderr.Reset()
	if rc := run(nil, os.Getenv, &stderr); rc != 2 || !strings.Contains(stderr.String(), "usage") {
		t.Errorf("no command: rc %d, %q", rc, stderr.String())
	}
	stderr.Reset()
	if rc := run([]string{"prepare", "-workspace", dir}, os.Getenv, &stderr); rc != 2 || !strings.Contains(stderr.String(), "-out is required") {
		t.Errorf("no -out: rc %d, %q", rc, stderr.String())
	}
}

func TestPrepareChecksInstalledPackages(t *testing.T) {
	w, m := parsed(t, workspaceSrc, manifestSrc)
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "var/lib/dpkg"), 0o755)
	os.WriteFile(filepath.Join(root, "var/lib/dpkg/status"), []byte("Package: bazel-rules-cc\nStatus: install ok installed\nVersion: 0.0.11-3\n\nPackage: bazel-platforms\nStatus: install ok installed\nVersion: 0.0.9-1\n"), 0o644)
	var log bytes.Buffer
	p := &preparer{w: w, m: m, root: root, out: t.TempDir(), log: &log}
	err := p.run()
	if err == nil || !strings.Contains(err.Error(), "platforms: bazel/offline.json says 0.0.10, but the installed bazel-platforms is 0.0.9") {
		t.Fatalf("err = %v", err)
	}
	// With the right versions, Debian's rule sets are used where they are installed.
	os.WriteFile(filepath.Join(root, "var/lib/dpkg/status"), []byte("Package: bazel-rules-cc\nStatus: install ok installed\nVersion: 0.0.11-3\n\nPackage: bazel-platforms\nStatus: install ok installed\nVersion: 0.0.10-4\n"), 0o644)
	for _, d := range []string{"usr/share/bazel/rules/cc", "usr/share/bazel/tools/platforms"} {
		os.MkdirAll(filepath.Join(root, d), 0o755)
		os.WriteFile(filepath.Join(root, d, "WORKSPACE"), nil, 0o644)
	}
	if err := p.run(); err != nil {
		t.Fatal(err)
	}
	rc, _ := os.ReadFile(filepath.Join(p.out, "bazelrc"))
	for _, want := range []string{"common --override_repository=rules_cc=/usr/share/bazel/rules/cc\n", "common --override_repository=platforms=/usr/share/bazel/tools/platforms\n"} {
		if !strings.Contains(string(rc), want) {
			t.Errorf("bazelrc lacks %q:\n%s", want, rc)
		}
	}
	// A package whose rule set is not where the manifest says.
	os.RemoveAll(filepath.Join(root, "usr/share/bazel/rules/cc"))
	if err := p.run(); err == nil || !strings.Contains(err.Error(), "rules_cc: Debian's bazel-rules-cc has no rule set at /usr/share/bazel/rules/cc") {
		t.Errorf("err = %v", err)
	}
}

func TestCheckDebianSourcesSkipsExplainedDrift(t *testing.T) {
	manifest := strings.Replace(manifestSrc, `"version": "0.0.10",`, `"version": "0.0.9", "drift": "Debian has 0.0.9 only",`, 1)
	log, err := checkSources(t, manifest, sourcesIndex)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log, "drift:      platforms") {
		t.Errorf("log = %q", log)
	}
}

// FuzzOrigHashes: any Sources index text yields only orig tarballs, each
// with a hash field taken from the input.
func FuzzOrigHashes(f *testing.F) {
	f.Add(sourcesIndex)
	f.Add("Checksums-Sha256:\n x 1 a.orig.tar.gz\n y 2 b.dsc\nFiles:\n z 3 c.orig.tar.xz\n")
	f.Fuzz(func(t *testing.T, index string) {
		got, err := origHashes(strings.NewReader(index))
		if err != nil {
			return
		}
		for file, sum := range got {
			if !strings.Contains(file, ".orig.tar.") || sum == "" || strings.ContainsAny(sum, " \n") || !strings.Contains(index, sum) {
				t.Errorf("%q -> %q", file, sum)
			}
		}
	})
}
