// Package rloc resolves Bazel runfiles passed as $(rlocationpath ...)
// arguments ("find_peers/images/beacon.oci") without depending on rules_go's
// runfiles library, so that the same code also builds with plain `go build`.
// It covers what this repository needs: runfiles directories (Linux), not
// manifest-only runfiles.
package rloc

import (
	"fmt"
	"os"
	"path/filepath"
)

// Path returns the file system path of runfile p. An absolute p, or a p
// that exists relative to the working directory, is returned as is.
func Path(p string) (string, error) {
	if filepath.IsAbs(p) {
		return p, nil
	}
	var roots []string
	for _, v := range []string{"RUNFILES_DIR", "TEST_SRCDIR"} {
		if d := os.Getenv(v); d != "" {
			roots = append(roots, d)
		}
	}
	if exe, err := os.Executable(); err == nil {
		roots = append(roots, exe+".runfiles")
	}
	// `bazel run` and `bazel test` start in <runfiles>/<workspace>.
	if wd, err := os.Getwd(); err == nil {
		roots = append(roots, filepath.Dir(wd))
	}
	for _, r := range roots {
		full := filepath.Join(r, p)
		if _, err := os.Stat(full); err == nil {
			return full, nil
		}
	}
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("runfile %s not found (looked in %v)", p, roots)
}
