package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/find-peers/find-peers/libs/ociimage"
)

// SourceStamp is the stamp Bazel's workspace status recorded for this
// build: tools/workspace-status prints STABLE_GIT_* keys, the stamped genrule
// //images:source_stamp copies them from bazel-out/stable-status.txt, and
// //images:push passes that file as --source-stamp. revision = the commit,
// version = version if set, else `git describe`, created = the commit's
// committer time (not the push time: pushing one commit twice gives one
// digest). Only that small genrule reruns per commit; the images' own build
// never sees the status, so their digests stay reproducible.
func SourceStamp(status map[string]string, version string) (ociimage.Stamp, error) {
	rev, ct := status["STABLE_GIT_COMMIT"], status["STABLE_GIT_COMMIT_TIME"]
	if rev == "" || ct == "" {
		return ociimage.Stamp{}, errors.New("--stamp: the build has no git stamp (STABLE_GIT_COMMIT and STABLE_GIT_COMMIT_TIME from tools/workspace-status); push from a git checkout")
	}
	created, err := time.Parse(time.RFC3339, ct)
	if err != nil {
		return ociimage.Stamp{}, fmt.Errorf("STABLE_GIT_COMMIT_TIME %q: %w", ct, err)
	}
	if version == "" {
		version = status["STABLE_GIT_VERSION"]
	}
	if version == "" {
		version = rev
	}
	return ociimage.Stamp{Revision: rev, Version: version, Created: created.UTC()}, nil
}

// ShortCommit is the tag a push adds besides "latest": the first 7
// characters of the stamped commit, or "dev" without one.
func ShortCommit(status map[string]string) string {
	if c := status["STABLE_GIT_COMMIT"]; len(c) >= 7 {
		return c[:7]
	}
	return "dev"
}

// ReadStatus parses a Bazel workspace status file ("KEY value" lines). An
// empty path (no --source-stamp) is an empty status.
func ReadStatus(path string) (map[string]string, error) {
	status := map[string]string{}
	if path == "" {
		return status, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("source stamp: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), " "); ok {
			status[k] = strings.TrimSpace(v)
		}
	}
	return status, nil
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
