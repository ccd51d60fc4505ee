// Package bazeldeps reads the external repositories WORKSPACE downloads and
// the offline sources (bazel/offline.json) that stand in for them on machines
// that reach only package registries, and checks that both name the same
// versions.
package bazeldeps

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/bazelbuild/buildtools/build"
)

// Archive is one http_archive of WORKSPACE.
type Archive struct {
	Name        string
	URLs        []string
	SHA256      string
	StripPrefix string
	// Version is the release tag of the URLs without a leading "v".
	Version string
}

// SDKFile is one platform's Go distribution archive in go_download_sdk.
type SDKFile struct{ File, SHA256 string }

// GoSDK is WORKSPACE's go_download_sdk.
type GoSDK struct {
	Name    string
	Version string
	SDKs    map[string]SDKFile // GOOS_GOARCH -> archive
}

// Workspace is what WORKSPACE fetches from upstream hosts.
type Workspace struct {
	Archives []Archive
	GoSDK    *GoSDK
}

// SupportedPlatforms are the platforms the README promises a Go SDK for.
var SupportedPlatforms = []string{"darwin_amd64", "darwin_arm64", "linux_amd64", "linux_arm64"}

// releaseURL is a project's own release host: a GitHub release asset.
var releaseURL = regexp.MustCompile(`^https://github\.com/[\w.-]+/[\w.-]+/releases/download/([\w.-]+)/[\w.+-]+$`)

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// ParseWorkspace reads the http_archive and go_download_sdk calls of a
// WORKSPACE file. Other statements are ignored.
func ParseWorkspace(path string, data []byte) (*Workspace, error) {
	f, err := build.ParseWorkspace(path, data)
	if err != nil {
		return nil, err
	}
	w := &Workspace{}
	for _, stmt := range f.Stmt {
		call, ok := stmt.(*build.CallExpr)
		if !ok {
			continue
		}
		fn, ok := call.X.(*build.Ident)
		if !ok {
			continue
		}
		switch fn.Name {
		case "http_archive":
			a, err := parseArchive(call)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %w", path, call.Pos.Line, err)
			}
			w.Archives = append(w.Archives, a)
		case "go_download_sdk":
			if w.GoSDK != nil {
				return nil, fmt.Errorf("%s:%d: a second go_download_sdk", path, call.Pos.Line)
			}
			sdk, err := parseGoSDK(call)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %w", path, call.Pos.Line, err)
			}
			w.GoSDK = sdk
		}
	}
	return w, nil
}

func parseArchive(call *build.CallExpr) (Archive, error) {
	kw, err := keywords("http_archive", call)
	if err != nil {
		return Archive{}, err
	}
	a := Archive{Name: str(kw["name"]), SHA256: str(kw["sha256"]), StripPrefix: str(kw["strip_prefix"])}
	if a.Name == "" {
		return a, fmt.Errorf("http_archive without a name")
	}
	if u, ok := kw["url"]; ok {
		a.URLs = append(a.URLs, str(u))
	}
	if u, ok := kw["urls"]; ok {
		l, ok := u.(*build.ListExpr)
		if !ok {
			return a, fmt.Errorf("http_archive %q: urls must be a list of strings", a.Name)
		}
		for _, e := range l.List {
			a.URLs = append(a.URLs, str(e))
		}
	}
	if len(a.URLs) > 0 {
		if m := releaseURL.FindStringSubmatch(a.URLs[0]); m != nil {
			a.Version = strings.TrimPrefix(m[1], "v")
		}
	}
	return a, nil
}

func parseGoSDK(call *build.CallExpr) (*GoSDK, error) {
	kw, err := keywords("go_download_sdk", call)
	if err != nil {
		return nil, err
	}
	sdk := &GoSDK{Name: str(kw["name"]), Version: str(kw["version"]), SDKs: map[string]SDKFile{}}
	if v, ok := kw["sdks"]; ok {
		d, ok := v.(*build.DictExpr)
		if !ok {
			return nil, fmt.Errorf("go_download_sdk: sdks must be a dict")
		}
		for _, kv := range d.List {
			t, ok := kv.Value.(*build.TupleExpr)
			if !ok || len(t.List) != 2 {
				return nil, fmt.Errorf("go_download_sdk: sdks[%s] must be (file, sha256)", str(kv.Key))
			}
			sdk.SDKs[str(kv.Key)] = SDKFile{File: str(t.List[0]), SHA256: str(t.List[1])}
		}
	}
	return sdk, nil
}

// keywords maps a call's keyword arguments to their values; positional
// arguments are refused (they would hide which attribute they set).
func keywords(rule string, call *build.CallExpr) (map[string]build.Expr, error) {
	kw := map[string]build.Expr{}
	for _, arg := range call.List {
		as, ok := arg.(*build.AssignExpr)
		if !ok {
			return nil, fmt.Errorf("%s: only keyword arguments are supported", rule)
		}
		id, ok := as.LHS.(*build.Ident)
		if !ok {
			return nil, fmt.Errorf("%s: only keyword arguments are supported", rule)
		}
		kw[id.Name] = as.RHS
	}
	return kw, nil
}

// str is the value of a string literal, or "" for anything else (which
// Lint then reports as missing).
func str(e build.Expr) string {
	if s, ok := e.(*build.StringExpr); ok {
		return s.Value
	}
	return ""
}

// Lint reports every way WORKSPACE falls short of its canonical form: an
// archive without a sha256 or with a URL that is not its project's release
// host, a Go SDK without a pinned archive for a supported platform.
func (w *Workspace) Lint() []error {
	var errs []error
	seen := map[string]bool{}
	for _, a := range w.Archives {
		if seen[a.Name] {
			errs = append(errs, fmt.Errorf("%s: defined twice", a.Name))
		}
		seen[a.Name] = true
		if !sha256Hex.MatchString(a.SHA256) {
			errs = append(errs, fmt.Errorf("%s: sha256 %q is not 64 lowercase hex digits", a.Name, a.SHA256))
		}
		if len(a.URLs) == 0 {
			errs = append(errs, fmt.Errorf("%s: no URL", a.Name))
		}
		for _, u := range a.URLs {
			m := releaseURL.FindStringSubmatch(u)
			switch {
			case m == nil:
				errs = append(errs, fmt.Errorf("%s: %s is not a release asset on the project's release host (https://github.com/OWNER/REPO/releases/download/TAG/FILE)", a.Name, u))
			case strings.TrimPrefix(m[1], "v") != a.Version:
				errs = append(errs, fmt.Errorf("%s: URLs name different versions (%s, %s)", a.Name, a.Version, m[1]))
			}
		}
	}
	if w.GoSDK == nil {
		return append(errs, fmt.Errorf("no go_download_sdk: the Go SDK must be pinned in WORKSPACE"))
	}
	sdk := w.GoSDK
	if sdk.Version == "" {
		errs = append(errs, fmt.Errorf("%s: no version", sdk.Name))
	}
	for _, p := range SupportedPlatforms {
		f, ok := sdk.SDKs[p]
		if !ok {
			errs = append(errs, fmt.Errorf("%s: no archive for %s", sdk.Name, p))
			continue
		}
		goos, goarch, _ := strings.Cut(p, "_")
		if want := fmt.Sprintf("go%s.%s-%s.tar.gz", sdk.Version, goos, goarch); f.File != want {
			errs = append(errs, fmt.Errorf("%s: %s archive is %q, want %q", sdk.Name, p, f.File, want))
		}
		if !sha256Hex.MatchString(f.SHA256) {
			errs = append(errs, fmt.Errorf("%s: %s sha256 %q is not 64 lowercase hex digits", sdk.Name, p, f.SHA256))
		}
	}
	return errs
}

// Names lists every repository WORKSPACE downloads, sorted.
func (w *Workspace) Names() []string {
	var names []string
	for _, a := range w.Archives {
		names = append(names, a.Name)
	}
	if w.GoSDK != nil {
		names = append(names, w.GoSDK.Name)
	}
	sort.Strings(names)
	return names
}

// Version is the version WORKSPACE downloads of repository name.
func (w *Workspace) Version(name string) (string, bool) {
	if w.GoSDK != nil && w.GoSDK.Name == name {
		return w.GoSDK.Version, true
	}
	for _, a := range w.Archives {
		if a.Name == name {
			return a.Version, true
		}
	}
	return "", false
}
