package bazeldeps

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/find-peers/find-peers/libs/debpkg"
)

// Manifest is bazel/offline.json: for each repository WORKSPACE downloads,
// where the offline mode takes the same version from instead.
type Manifest struct {
	About        string            `json:"about"`
	Repositories map[string]Source `json:"repositories"`
}

// Source is one repository's offline source. Exactly one of Debian,
// GoModule and GoToolchain is set.
type Source struct {
	// Version is the upstream version the source provides. It must equal
	// WORKSPACE's unless Drift explains why not.
	Version string `json:"version"`
	Drift   string `json:"drift,omitempty"`

	// Debian: an installed package's rule set at Path.
	Debian string `json:"debian,omitempty"`
	Path   string `json:"path,omitempty"`
	// DebianOrigIsUpstream: Debian's orig tarball of this version is the
	// very release archive WORKSPACE pins (same sha256 in Debian's source
	// index); checked by `offlinerepos check-debian-sources`.
	DebianOrigIsUpstream bool `json:"debian_orig_is_upstream,omitempty"`

	// GoModule: module@v<Version> from the Go module proxy, verified
	// against Sum (its go.sum hash). Vendor rebuilds vendor/ (module zips
	// drop it); Delete removes paths first.
	GoModule string   `json:"go_module,omitempty"`
	Sum      string   `json:"sum,omitempty"`
	Vendor   bool     `json:"vendor,omitempty"`
	Delete   []string `json:"delete,omitempty"`

	// GoToolchain: the Go distribution from the proxy's golang.org/toolchain
	// module, GOOS_GOARCH -> sha256 of its zip.
	GoToolchain map[string]string `json:"go_toolchain,omitempty"`
}

// Kind names the source's kind: "debian", "go_module" or "go_toolchain".
func (s Source) Kind() string {
	switch {
	case s.Debian != "":
		return "debian"
	case s.GoModule != "":
		return "go_module"
	case s.GoToolchain != nil:
		return "go_toolchain"
	}
	return ""
}

// ParseManifest decodes bazel/offline.json strictly.
func ParseManifest(data []byte) (*Manifest, error) {
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("offline manifest: %w", err)
	}
	return &m, nil
}

// Check compares the manifest with WORKSPACE: every downloaded repository
// has exactly one offline source of a complete kind and the same version,
// and nothing else is listed. A drift must be explained, and an explanation
// whose versions agree is stale.
func (m *Manifest) Check(w *Workspace) []error {
	var errs []error
	for _, name := range w.Names() {
		if _, ok := m.Repositories[name]; !ok {
			errs = append(errs, fmt.Errorf("%s: WORKSPACE downloads it, but bazel/offline.json has no offline source", name))
		}
	}
	names := make([]string, 0, len(m.Repositories))
	for name := range m.Repositories {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		s := m.Repositories[name]
		want, ok := w.Version(name)
		if !ok {
			errs = append(errs, fmt.Errorf("%s: in bazel/offline.json, but WORKSPACE does not download it", name))
			continue
		}
		errs = append(errs, s.check(name)...)
		if w.GoSDK != nil && name == w.GoSDK.Name && s.Kind() != "go_toolchain" {
			errs = append(errs, fmt.Errorf("%s: the Go SDK's offline source must be go_toolchain", name))
		}
		errs = append(errs, versionCheck(name, want, s.Version, s.Drift, "bazel/offline.json")...)
	}
	return errs
}

func (s Source) check(name string) []error {
	kinds := 0
	for _, set := range []bool{s.Debian != "", s.GoModule != "", s.GoToolchain != nil} {
		if set {
			kinds++
		}
	}
	if kinds != 1 {
		return []error{fmt.Errorf("%s: set exactly one of debian, go_module, go_toolchain", name)}
	}
	var errs []error
	switch s.Kind() {
	case "debian":
		if !strings.HasPrefix(s.Path, "/usr/share/bazel/") {
			errs = append(errs, fmt.Errorf("%s: path %q is not under /usr/share/bazel/", name, s.Path))
		}
	case "go_module":
		if !strings.HasPrefix(s.Sum, "h1:") {
			errs = append(errs, fmt.Errorf("%s: sum %q is not a go.sum h1: hash", name, s.Sum))
		}
	case "go_toolchain":
		for p, h := range s.GoToolchain {
			if !sha256Hex.MatchString(h) {
				errs = append(errs, fmt.Errorf("%s: go_toolchain[%s] %q is not a sha256", name, p, h))
			}
		}
	}
	return errs
}

// versionCheck compares a WORKSPACE version with an offline one.
func versionCheck(name, workspace, offline, drift, where string) []error {
	switch {
	case offline == "":
		return []error{fmt.Errorf("%s: %s gives no version", name, where)}
	case offline != workspace && drift == "":
		return []error{fmt.Errorf("%s: WORKSPACE has %s, offline %s has %s: pin the same version (or explain the drift)", name, workspace, where, offline)}
	case offline == workspace && drift != "":
		return []error{fmt.Errorf("%s: drift explained, but both are %s: remove the explanation", name, offline)}
	}
	return nil
}

// CheckInstalled compares the manifest's Debian versions with the packages
// installed where the offline mode runs Bazel (dpkg's status file there).
func (m *Manifest) CheckInstalled(installed map[string]string) []error {
	var errs []error
	names := make([]string, 0, len(m.Repositories))
	for name := range m.Repositories {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		s := m.Repositories[name]
		if s.Kind() != "debian" {
			continue
		}
		v, ok := installed[s.Debian]
		if !ok {
			errs = append(errs, fmt.Errorf("%s: Debian package %s is not installed", name, s.Debian))
			continue
		}
		if got := debpkg.UpstreamVersion(v); got != s.Version {
			errs = append(errs, fmt.Errorf("%s: bazel/offline.json says %s, but the installed %s is %s (%s)", name, s.Version, s.Debian, got, v))
		}
	}
	return errs
}
