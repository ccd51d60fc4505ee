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
