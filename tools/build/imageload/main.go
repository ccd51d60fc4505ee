// Command imageload loads image tarballs into the local container engine
// (podman, else docker) and tags them find-peers/NAME:latest, the names the
// compose file uses:
//
//	bazel run //images:load [-- --engine podman|docker]
//	bazel run //images:load -- --verify-key cosign.pub --registry HOST:PORT [--tag T]
//
// With --verify-key nothing is loaded unless every tarball's image is the
// one signed in the registry (verify.go says what that proves).
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/find-peers/find-peers/libs/ociimage"
	"github.com/find-peers/find-peers/libs/rloc"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "imageload:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("imageload", flag.ContinueOnError)
	var images rloc.Named
	fs.Var(&images, "image", "NAME=TARBALL (runfile path) to load as find-peers/NAME:latest (repeatable)")
	engine := fs.String("engine", os.Getenv("CONTAINER_ENGINE"), "podman or docker (default: podman if on PATH, else docker; env CONTAINER_ENGINE)")
	var v verifier
	key := fs.String("verify-key", os.Getenv("COSIGN_PUB"), "cosign public key: load only images whose pushed signature verifies (env COSIGN_PUB)")
	fs.StringVar(&v.registry, "registry", os.Getenv("IMAGE_REGISTRY"), "with --verify-key: registry host[:port][/prefix] the images were pushed to (default $IMAGE_REGISTRY)")
	fs.StringVar(&v.prefix, "repository-prefix", "find-peers", "with --verify-key: repository prefix under the registry")
	fs.StringVar(&v.tag, "tag", "latest", "with --verify-key: the pushed tag to compare with")
	cosignBin := fs.String("cosign", "", "cosign binary (default $COSIGN_BIN; tools/cosign --install-only prints it)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if len(images) == 0 {
		return errors.New("no --image given")
	}
	tarballs, err := images.Resolve()
	if err != nil {
		return err
	}
	if v.key = userPath(*key, os.Getenv); v.key != "" {
		if v.registry == "" {
			return errors.New("--verify-key needs --registry (or IMAGE_REGISTRY)")
		}
		if v.cosign, err = ociimage.CosignFromEnv(*cosignBin, os.Getenv); err != nil {
			return err
		}
		ok, err := v.checkAll(ctx, tarballs)
		if err != nil {
			return err
		}
		for _, line := range ok {
			fmt.Fprintln(out, line)
		}
	}
	eng, err := Engine(*engine, exec.LookPath)
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
