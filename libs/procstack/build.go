package procstack

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
)

// BuildMissing makes every path of bin absolute and builds, with `go build`
// into dir, the services it does not name (tools run with `go run` from the
// repository root; under Bazel the binaries are given as runfiles).
func BuildMissing(ctx context.Context, bin *Binaries, dir string, log io.Writer) error {
	for name, path := range map[string]*string{
		"beacon": &bin.Beacon, "tracking": &bin.Tracking, "aggregator": &bin.Aggregator, "gateway": &bin.Gateway,
	} {
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
		cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "./services/"+name)
		cmd.Stdout, cmd.Stderr = log, log
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("build %s (run from the repository root, or pass -%s): %w", name, name, err)
		}
		*path = out
	}
	return nil
}
