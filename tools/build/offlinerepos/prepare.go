package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/find-peers/find-peers/libs/debpkg"
	"github.com/find-peers/find-peers/tools/build/bazeldeps"
)

type preparer struct {
	w    *bazeldeps.Workspace
	m    *bazeldeps.Manifest
	root string
	out  string
	log  io.Writer
}

// run checks the Debian packages, makes what is missing and writes the
// bazelrc last, so a failure leaves the previous bazelrc in place.
func (p *preparer) run() error {
	f, err := os.Open(filepath.Join(p.root, "var/lib/dpkg/status"))
	if err != nil {
		return fmt.Errorf("reading the Debian packages of %s: %w", p.root, err)
	}
	installed, err := debpkg.InstalledPackages(f)
	f.Close()
	if err != nil {
		return err
	}
	if errs := p.m.CheckInstalled(installed); len(errs) > 0 {
		return joinErrs("offline sources", errs)
	}
	names := make([]string, 0, len(p.m.Repositories))
	for name := range p.m.Repositories {
		names = append(names, name)
	}
	// rules_go first: the Go SDK's BUILD file comes from its template.
	slices.SortFunc(names, func(a, b string) int {
		return cmp.Or(cmp.Compare(rank(p.m, a), rank(p.m, b)), cmp.Compare(a, b))
	})
	var rc strings.Builder
	rc.WriteString("# Written by tools/build/offlinerepos (tools/bazel's offline mode): WORKSPACE's\n# repositories from Debian's rule sets and the Go module proxy, same versions.\n")
	for _, name := range names {
		dir, how, err := p.repository(name, p.m.Repositories[name])
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		fmt.Fprintf(p.log, "offline: %-18s %-7s <- %s\n", name, p.m.Repositories[name].Version, how)
		fmt.Fprintf(&rc, "common --override_repository=%s=%s\n", name, dir)
	}
	return writeAtomic(filepath.Join(p.out, "bazelrc"), []byte(rc.String()))
}

func rank(m *bazeldeps.Manifest, name string) int {
	switch m.Repositories[name].Kind() {
	case "go_module":
		return 0
	case "go_toolchain":
		return 1
	}
	return 2
}

// repository returns the directory Bazel should use for name (a path as
// Bazel sees it, inside the root) and how it was supplied.
func (p *preparer) repository(name string, s bazeldeps.Source) (string, string, error) {
	switch s.Kind() {
	case "debian":
		if _, err := os.Stat(filepath.Join(p.root, s.Path, "WORKSPACE")); err != nil {
			if _, err2 := os.Stat(filepath.Join(p.root, s.Path, "WORKSPACE.bazel")); err2 != nil {
				return "", "", fmt.Errorf("Debian's %s has no rule set at %s: %w", s.Debian, s.Path, err)
			}
		}
		return s.Path, "Debian " + s.Debian, nil
	case "go_module":
		dir := filepath.Join(p.out, "repos", name)
		return dir, "Go module " + s.GoModule + "@v" + s.Version + " (" + s.Sum + ")", p.goModule(dir, s)
	case "go_toolchain":
		dir := filepath.Join(p.out, "repos", name)
		how, err := p.goToolchain(dir, s)
		return dir, how, err
	}
	return "", "", fmt.Errorf("no offline source kind")
}

// fresh reports whether dir was made from exactly this recipe; done
// records it. The recipe is the source's JSON.
func fresh(dir string, s bazeldeps.Source) bool {
	want, _ := json.Marshal(s)
	got, err := os.ReadFile(dir + ".recipe")
	return err == nil && string(got) == string(want)
}

func done(dir string, s bazeldeps.Source) error {
	data, _ := json.Marshal(s)
	return writeAtomic(dir+".recipe", data)
}

// goModule extracts module@version, verified against its go.sum hash, into dir.
func (p *preparer) goModule(dir string, s bazeldeps.Source) error {
	if fresh(dir, s) {
		return nil
	}
	mv := s.GoModule + "@v" + s.Version
	cmd := exec.Command("go", "mod", "download", "-json", mv)
	cmd.Dir = os.TempDir()
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOTOOLCHAIN=local", "GO111MODULE=on")
	outb, err := cmd.Output()
	var info struct{ Dir, Sum, Error string }
	if jerr := json.Unmarshal(outb, &info); jerr != nil || info.Error != "" || err != nil {
		return fmt.Errorf("go mod download %s: %v %s", mv, err, info.Error)
	}
	if info.Sum != s.Sum {
		return fmt.Errorf("checksum mismatch for %s: the proxy served %s, bazel/offline.json pins %s", mv, info.Sum, s.Sum)
	}
	tmp := dir + ".tmp"
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	if err := copyTree(info.Dir, tmp); err != nil {
		return err
	}
	for _, d := range s.Delete {
		if err := os.RemoveAll(filepath.Join(tmp, d)); err != nil {
			return err
		}
	}
	if s.Vendor {
		// Module zips drop vendor/; rebuild it from the module's own go.mod and go.sum.
		v := exec.Command("go", "mod", "vendor")
		v.Dir = tmp
		v.Env = append(os.Environ(), "GOWORK=off", "GOTOOLCHAIN=local", "GOFLAGS=-mod=mod")
		if b, err := v.CombinedOutput(); err != nil {
			return fmt.Errorf("go mod vendor in %s: %v\n%s", mv, err, b)
		}
	}
	return replaceDir(tmp, dir, s)
}

// replaceDir moves tmp to dir and records the recipe.
func replaceDir(tmp, dir string, s bazeldeps.Source) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		return err
	}
	return done(dir, s)
}
