// Command offlinerepos supplies WORKSPACE's repositories on machines that
// reach only package registries (tools/bazel's offline mode).
//
//	offlinerepos prepare -workspace DIR -root DIR -out DIR
//	    check that bazel/offline.json names WORKSPACE's versions and that the
//	    Debian packages installed under -root are those versions; make the
//	    Go-module and Go-toolchain repositories in -out/repos; write
//	    -out/bazelrc, the --override_repository flags for Bazel.
//	offlinerepos check-debian-sources -workspace DIR -sources FILE
//	    compare WORKSPACE's sha256 with the orig tarballs Debian's source index
//	    (FILE, uncompressed) records, for the rule sets whose orig tarball is
//	    the upstream release archive.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/find-peers/find-peers/tools/build/bazeldeps"
)

func main() { os.Exit(run(os.Args[1:], os.Getenv, os.Stderr)) }

func run(args []string, _ func(string) string, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: offlinerepos prepare|check-debian-sources [flags]")
		return 2
	}
	fs := flag.NewFlagSet("offlinerepos "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	workspace := fs.String("workspace", ".", "the repository's root (holds WORKSPACE and bazel/offline.json)")
	root := fs.String("root", "/", "the file system Bazel runs in (the bootstrapped Debian root)")
	out := fs.String("out", "", "prepare: directory for the repositories and the bazelrc")
	sources := fs.String("sources", "", "check-debian-sources: Debian's uncompressed Sources index")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	required := map[string]*string{"prepare": out, "check-debian-sources": sources}[args[0]]
	if required == nil {
		fmt.Fprintf(stderr, "offlinerepos: unknown command %q\n", args[0])
		return 2
	}
	if *required == "" {
		fmt.Fprintf(stderr, "offlinerepos %s: -%s is required\n", args[0], map[string]string{"prepare": "out", "check-debian-sources": "sources"}[args[0]])
		return 2
	}
	w, m, err := load(*workspace)
	if err != nil {
		fmt.Fprintf(stderr, "offlinerepos: %v\n", err)
		return 1
	}
	if args[0] == "prepare" {
		p := preparer{w: w, m: m, root: *root, out: *out, log: stderr}
		err = p.run()
	} else {
		err = checkDebianSources(w, m, *sources, stderr)
	}
	if err != nil {
		fmt.Fprintf(stderr, "offlinerepos %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

// load reads WORKSPACE and the manifest and checks them against each other.
func load(dir string) (*bazeldeps.Workspace, *bazeldeps.Manifest, error) {
	data, err := os.ReadFile(filepath.Join(dir, "WORKSPACE"))
	if err != nil {
		return nil, nil, err
	}
	w, err := bazeldeps.ParseWorkspace("WORKSPACE", data)
	if err != nil {
		return nil, nil, err
	}
	mdata, err := os.ReadFile(filepath.Join(dir, "bazel", "offline.json"))
	if err != nil {
		return nil, nil, err
	}
	m, err := bazeldeps.ParseManifest(mdata)
	if err != nil {
		return nil, nil, err
	}
	if errs := append(w.Lint(), m.Check(w)...); len(errs) > 0 {
		return nil, nil, joinErrs("WORKSPACE and bazel/offline.json", errs)
	}
	return w, m, nil
}

func joinErrs(what string, errs []error) error {
	msg := fmt.Sprintf("%s: %d problem(s):", what, len(errs))
	for _, e := range errs {
		msg += "\n  - " + e.Error()
	}
	return fmt.Errorf("%s", msg)
}
