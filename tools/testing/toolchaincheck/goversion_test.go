package toolchaincheck

import (
	"os"
	"runtime"
	"testing"

	"golang.org/x/mod/modfile"
)

// TestGoVersionMatchesGoMod fails when the SDK that compiled this test (Bazel's
// pinned SDK under `bazel test`, the host's under `go test`) is not the Go
// version go.mod declares, so that both builds compile with the same Go.
func TestGoVersionMatchesGoMod(t *testing.T) {
	// The test runs in its package directory, both under `go test` and in
	// Bazel's runfiles tree (go.mod is a data dependency there).
	data, err := os.ReadFile("../../../go.mod")
	if err != nil {
		t.Fatalf("read go.mod: %v", err)
	}
	mod, err := modfile.ParseLax("go.mod", data, nil)
	if err != nil {
		t.Fatalf("parse go.mod: %v", err)
	}
	if mod.Go == nil {
		t.Fatal("go.mod has no go directive")
	}
	if want, got := "go"+mod.Go.Version, runtime.Version(); got != want {
		t.Fatalf("compiled with %s, but go.mod declares %s: update go.mod or the SDK pinned in WORKSPACE", got, want)
	}
}
