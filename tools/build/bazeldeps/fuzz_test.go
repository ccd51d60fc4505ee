package bazeldeps

import (
	"strings"
	"testing"
)

// FuzzParseWorkspace: any WORKSPACE text parses or fails cleanly; a parsed
// one can be linted and checked against a manifest, and each archive's
// version is taken from its own first URL.
func FuzzParseWorkspace(f *testing.F) {
	f.Add(goodWorkspace)
	f.Add(`http_archive(name = "x", urls = ["https://github.com/a/b/releases/download/v1/x.tgz"], sha256 = "")`)
	f.Add(`go_download_sdk(name = "go_sdk", sdks = {"linux_amd64": ("f", "h")}, version = "1")`)
	f.Add(`http_archive(name = 1, urls = "x")`)
	m, err := ParseManifest([]byte(goodManifest))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, src string) {
		w, err := ParseWorkspace("WORKSPACE", []byte(src))
		if err != nil {
			return
		}
		_ = w.Lint()
		_ = m.Check(w)
		for _, a := range w.Archives {
			if a.Version != "" && !strings.Contains(a.URLs[0], a.Version) {
				t.Errorf("%s: version %q is not in its URL %q", a.Name, a.Version, a.URLs[0])
			}
		}
	})
}

// FuzzInstalledPackages: any dpkg status text gives only packages it names,
// and an upstream version is always part of the Debian version.
func FuzzInstalledPackages(f *testing.F) {
	f.Add("Package: a\nStatus: install ok installed\nVersion: 1:2.0+ds-1\n\nPackage: b\n")
	f.Add("Package: x\nVersion: 1.0-1\nStatus: deinstall ok config-files\n")
	f.Fuzz(func(t *testing.T, status string) {
		got, err := InstalledPackages(strings.NewReader(status))
		if err != nil {
			return
		}
		for pkg, v := range got {
			if !strings.Contains(status, "Package: "+pkg) {
				t.Errorf("package %q is not in the input", pkg)
			}
			if up := UpstreamVersion(v); !strings.Contains(v, up) {
				t.Errorf("UpstreamVersion(%q) = %q, not part of it", v, up)
			}
		}
	})
}
