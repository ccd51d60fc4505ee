package bazeldeps

import (
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
