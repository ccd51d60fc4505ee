package layering

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/find-peers/find-peers"

// TestNoToolsImports fails when a package under libs/ or services/, or one
// of their tests, depends (directly or not) on a package under tools/.
func TestNoToolsImports(t *testing.T) {
	// Not a Bazel test (tagged manual: the sandbox has neither the go command
	// nor the sources), where tools/' visibility enforces the same rule.
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("this check needs the go command on PATH: %v", err)
	}
	cmd := exec.Command(goBin, "list", "-deps", "-test",
		"-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "./libs/...", "./services/...")
	cmd.Dir = moduleRoot(t)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var bad []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 || strings.HasPrefix(fields[0], module+"/tools/") {
			continue
		}
		for _, imp := range fields[1:] {
			if strings.HasPrefix(imp, module+"/tools/") {
				bad = append(bad, fields[0]+" imports "+imp)
			}
		}
	}
	sort.Strings(bad)
	if len(bad) > 0 {
		t.Errorf("libs/ and services/ must not depend on tools/ (move the shared code into libs/):\n  %s", strings.Join(bad, "\n  "))
	}
}

func moduleRoot(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}
