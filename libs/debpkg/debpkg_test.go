package debpkg

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInstalledPackages(t *testing.T) {
	status := `Package: bazel-skylib
Status: install ok installed
Version: 1.9.1-2

Package: removed-one
Status: deinstall ok config-files
Version: 1.0-1

Package: bazel-bootstrap
Status: install ok installed
Architecture: amd64
Version: 7.7.1+ds-8+b1
Description: multi
 line
`
	got, err := InstalledPackages(strings.NewReader(status))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["bazel-skylib"] != "1.9.1-2" || got["bazel-bootstrap"] != "7.7.1+ds-8+b1" {
		t.Errorf("InstalledPackages() = %v", got)
	}
}

func TestUpstreamVersion(t *testing.T) {
	for in, want := range map[string]string{
		"1.9.1-2":         "1.9.1",
		"7.7.1+ds-8+b1":   "7.7.1",
		"1:2.0-1":         "2.0",
		"0.4.0":           "0.4.0",
		"1.2+dfsg1-3":     "1.2",
		"2.0-rc1-1":       "2.0-rc1",
		"6.0.0+repack2-1": "6.0.0",
	} {
		if got := UpstreamVersion(in); got != want {
			t.Errorf("UpstreamVersion(%q) = %q, want %q", in, got, want)
		}
	}
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

func TestInstalledVersion(t *testing.T) {
	status := filepath.Join(t.TempDir(), "status")
	text := "Package: adduser\nStatus: install ok installed\nVersion: 3.134\n\n" +
		"Package: prometheus\nStatus: install ok installed\nPriority: optional\nVersion: 2.42.0+ds-5+deb12u1\n\n" +
		"Package: gone\nStatus: deinstall ok config-files\nVersion: 1.0\n"
	if err := os.WriteFile(status, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if v, err := InstalledVersion(status, "prometheus"); err != nil || v != "2.42.0+ds-5+deb12u1" {
		t.Errorf("prometheus: %q, %v", v, err)
	}
	if _, err := InstalledVersion(status, "gone"); err == nil || !strings.Contains(err.Error(), "package gone is not installed") {
		t.Errorf("a removed package counted as installed (err %v)", err)
	}
}
