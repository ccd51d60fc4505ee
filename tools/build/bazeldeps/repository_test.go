package bazeldeps

import (
	"os"
	"strings"
	"testing"
)

// TestRepositoryWorkspace checks the real WORKSPACE and bazel/offline.json:
// WORKSPACE in its canonical form, and an offline source of the same version
// for every repository it downloads.
func TestRepositoryWorkspace(t *testing.T) {
	// The test runs in its package directory, both under `go test` and in
	// Bazel's runfiles tree (both files are data dependencies there).
	data, err := os.ReadFile("../../../WORKSPACE")
	if err != nil {
		t.Fatal(err)
	}
	w, err := ParseWorkspace("WORKSPACE", data)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range w.Lint() {
		t.Error(e)
	}
	mdata, err := os.ReadFile("../../../bazel/offline.json")
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseManifest(mdata)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range m.Check(w) {
		t.Error(e)
	}
	// What this project needs at the least: the Go rules, Gazelle and the Go
	// SDK, each with an offline source for the machines CI runs on.
	for _, name := range []string{"io_bazel_rules_go", "bazel_gazelle", "go_sdk"} {
		if _, ok := w.Version(name); !ok {
			t.Errorf("WORKSPACE does not download %s", name)
		}
	}
	for _, p := range []string{"linux_amd64", "linux_arm64"} {
		if _, ok := m.Repositories["go_sdk"].GoToolchain[p]; !ok {
			t.Errorf("bazel/offline.json pins no Go toolchain for %s", p)
		}
	}
	// Every URL is on the release host (Lint), and nothing else is
	// downloaded by a rule this parser does not know.
	for _, rule := range []string{"git_repository(", "new_git_repository(", "http_file(", "local_repository("} {
		if strings.Contains(string(data), "\n"+rule) {
			t.Errorf("WORKSPACE uses %s: use http_archive with a sha256", strings.TrimSuffix(rule, "("))
		}
	}
}
