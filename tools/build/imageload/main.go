// Command imageload loads image tarballs into the local container engine
// (podman, else docker) and tags them find-peers/NAME:latest, the names the
// compose file uses:
//
//	bazel run //images:load [-- --engine podman|docker]
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/find-peers/find-peers/libs/rloc"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "imageload:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("imageload", flag.ContinueOnError)
	var images rloc.Named
	fs.Var(&images, "image", "NAME=TARBALL (runfile path) to load as find-peers/NAME:latest (repeatable)")
	engine := fs.String("engine", os.Getenv("CONTAINER_ENGINE"), "podman or docker (default: podman if on PATH, else docker; env CONTAINER_ENGINE)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if len(images) == 0 {
		return errors.New("no --image given")
	}
	eng, err := Engine(*engine, exec.LookPath)
	if err != nil {
		return err
	}
	tarballs, err := images.Resolve()
	if err != nil {
		return err
	}
	for _, t := range tarballs {
		n := t.Name
		img, err := tarball.ImageFromPath(t.Path, nil)
		if err != nil {
			return fmt.Errorf("%s: %w", n, err)
		}
		id, err := img.ConfigName()
		if err != nil {
			return err
		}
		ref := "find-peers/" + n + ":latest"
		if _, err := engineCmd(eng, "load", "-i", t.Path); err != nil {
			return fmt.Errorf("%s: %w", n, err)
		}
		// The tarball is tagged find-peers/NAME:latest already; tag by id
		// anyway so the name is right whatever the engine made of it.
		if _, err := engineCmd(eng, "tag", id.Hex, ref); err != nil {
			return fmt.Errorf("%s: %w", n, err)
		}
		fmt.Fprintf(out, "%s: loaded %s (image id %s)\n", eng, ref, id)
	}
	return nil
}

// Engine picks the container engine.
func Engine(want string, lookPath func(string) (string, error)) (string, error) {
	if want != "" {
		if _, err := lookPath(want); err != nil {
			return "", fmt.Errorf("container engine %s: %w", want, err)
		}
		return want, nil
	}
	for _, e := range []string{"podman", "docker"} {
		if _, err := lookPath(e); err == nil {
			return e, nil
		}
	}
	return "", errors.New("neither podman nor docker is on PATH (tools/podman-setup installs podman)")
}

func engineCmd(eng string, args ...string) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(eng, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s %s: %v\n%s", eng, strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), nil
}
