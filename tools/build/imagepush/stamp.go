package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/find-peers/find-peers/libs/ociimage"
)

// SourceStamp is the stamp of the git checkout at dir: revision = HEAD,
// version = version if set, else `git describe --tags --always`, created =
// HEAD's committer time (not the push time, so pushing the same commit twice
// gives the same digest). Read here, at push time, as the short commit tag
// always was, rather than through Bazel's workspace status: a stamped Bazel
// action would rebuild on every commit and the build outputs must not change.
func SourceStamp(dir, version string) (ociimage.Stamp, error) {
	if dir == "" {
		return ociimage.Stamp{}, fmt.Errorf("stamping needs the git checkout (BUILD_WORKSPACE_DIRECTORY, set by bazel run)")
	}
	git := func(args ...string) (string, error) {
		b, err := exec.Command("git", append([]string{"-C", dir}, args...)...).Output()
		if err != nil {
			return "", fmt.Errorf("git %s: %w", strings.Join(args, " "), err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	rev, err := git("rev-parse", "HEAD")
	if err != nil {
		return ociimage.Stamp{}, err
	}
	ct, err := git("show", "-s", "--format=%cI", "HEAD")
	if err != nil {
		return ociimage.Stamp{}, err
	}
	created, err := time.Parse(time.RFC3339, ct)
	if err != nil {
		return ociimage.Stamp{}, fmt.Errorf("commit time %q: %w", ct, err)
	}
	if version == "" {
		if version, err = git("describe", "--tags", "--always"); err != nil {
			return ociimage.Stamp{}, err
		}
	}
	return ociimage.Stamp{Revision: rev, Version: version, Created: created.UTC()}, nil
}

// userPath makes a path given on the command line of `bazel run` relative to
// where the user ran it (bazel run starts the binary in its runfiles tree).
func userPath(p string, getenv func(string) string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	if wd := getenv("BUILD_WORKING_DIRECTORY"); wd != "" {
		return filepath.Join(wd, p)
	}
	return p
}
