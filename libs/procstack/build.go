package procstack

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/find-peers/find-peers/libs/servicelist"
)

// Path returns where b keeps the path of the named service's binary (nil
// for a name not in servicelist.Names).
func (b *Binaries) Path(name string) *string {
	switch name {
	case "beacon":
		return &b.Beacon
	case "tracking":
		return &b.Tracking
	case "aggregator":
		return &b.Aggregator
	case "gateway":
		return &b.Gateway
	}
	return nil
}

// RegisterFlags adds a flag -<service> per service that sets its binary.
func (b *Binaries) RegisterFlags(fs *flag.FlagSet) {
	for _, name := range servicelist.Names {
		fs.StringVar(b.Path(name), name, "", name+" binary (default: go build ./services/"+name+")")
	}
}

// BinariesFromEnv reads <SERVICE>_BIN for every service: an absolute path,
// or a path in the Bazel runfiles tree of a test (the BUILD files set them
// from SERVICE_BIN_ENV in bazel/services.bzl). Unset ones stay empty, for
// BuildMissing.
func BinariesFromEnv() Binaries {
	var b Binaries
	for _, name := range servicelist.Names {
		p := os.Getenv(strings.ToUpper(name) + "_BIN")
		if p != "" && !filepath.IsAbs(p) {
			p = filepath.Join(os.Getenv("TEST_SRCDIR"), os.Getenv("TEST_WORKSPACE"), p)
		}
		*b.Path(name) = p
	}
	return b
}

// BuildMissing makes every path of bin absolute and builds, with `go build`
// into dir, the services it does not name (from anywhere inside the module;
// under Bazel the binaries are given as runfiles).
func BuildMissing(ctx context.Context, bin *Binaries, dir string, log io.Writer) error {
	for _, name := range servicelist.Names {
		path := bin.Path(name)
		if *path != "" {
			abs, err := filepath.Abs(*path)
			if err != nil {
				return err
			}
			*path = abs
			continue
		}
		out := filepath.Join(dir, name)
		fmt.Fprintf(log, "== go build ./services/%s\n", name)
		cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "github.com/find-peers/find-peers/services/"+name)
		cmd.Stdout, cmd.Stderr = log, log
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("build %s (run inside the repository, or pass -%s): %w", name, name, err)
		}
		*path = out
	}
	return nil
}
