// Command imageverify checks the images //images:push pushed and signed:
//
//	bazel run //images:verify -- --registry HOST:PORT --key cosign.pub [--tag T]
//
// For every service NAME it resolves REGISTRY/find-peers/NAME:TAG (default
// latest) to a digest once and requires that
//   - cosign verifies the signature of that digest with the public key (no
//     transparency log: signed with --tlog-upload=false),
//   - the signed index is this workspace's build, stamped as the push
//     stamped it (the revision/version/created annotations it carries),
//   - an SPDX referrer of that digest is the built SBOM, and so is the SBOM
//     attestation the key signed for it (cosign attest --type spdxjson).
//
// It prints one line per image and exits 1 naming every image that fails.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"github.com/find-peers/find-peers/libs/ociimage"
	"github.com/find-peers/find-peers/libs/rloc"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

type target struct {
	repo, tag, key string
	cosign         ociimage.Cosign
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("imageverify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var images, sboms rloc.Named
	fs.Var(&images, "image", "NAME=LAYOUT: the built OCI layout (runfile path) of image NAME (repeatable)")
	fs.Var(&sboms, "sbom", "NAME=FILE: the built SBOM (runfile path) that must be NAME's referrer (repeatable)")
	registry := fs.String("registry", getenv("IMAGE_REGISTRY"), "registry host[:port][/prefix] (default $IMAGE_REGISTRY)")
	repoPrefix := fs.String("repository-prefix", "find-peers", "repository prefix under the registry")
	tag := fs.String("tag", "latest", "tag to verify")
	key := fs.String("key", getenv("COSIGN_PUB"), "cosign public key (env COSIGN_PUB)")
	cosignBin := fs.String("cosign", "", "cosign binary (default $COSIGN_BIN; tools/cosign --install-only prints it)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	fail := func(err error) int { fmt.Fprintln(stderr, "imageverify:", err); return 2 }
	if len(images) == 0 || *registry == "" || *key == "" {
		return fail(errors.New("--image, --registry and --key are required"))
	}
	c, err := ociimage.CosignFromEnv(*cosignBin, getenv)
	if err != nil {
		return fail(err)
	}
	layouts, err := images.Resolve()
	if err != nil {
		return fail(err)
	}
	sbomPaths, err := sboms.Resolve()
	if err != nil {
		return fail(err)
	}
	sbomOf := map[string]string{}
	for _, p := range sbomPaths {
		sbomOf[p.Name] = p.Path
	}
	tmp, err := os.MkdirTemp("", "imageverify-")
	if err != nil {
		return fail(err)
	}
	defer os.RemoveAll(tmp)
	var failed []string
	for _, l := range layouts {
		t := target{repo: repoName(*registry, *repoPrefix, l.Name), tag: *tag, key: userPath(*key, getenv), cosign: c}
		s, err := verifyOne(ctx, t, l.Path, sbomOf[l.Name], tmp)
		if err != nil {
			fmt.Fprintf(stdout, "%s: FAILED: %v\n", l.Name, err)
			failed = append(failed, l.Name)
			continue
		}
		fmt.Fprintf(stdout, "%s: OK %s (signature, build%s)\n", l.Name, s.Ref, sbomNote(sbomOf[l.Name]))
	}
	if len(failed) > 0 {
		fmt.Fprintf(stderr, "imageverify: %d image(s) failed verification: %s\n", len(failed), strings.Join(failed, ", "))
		return 1
	}
	return 0
}

// verifyOne runs the three checks on one image, cheapest-to-fake first.
func verifyOne(ctx context.Context, t target, layout, sbomFile, tmp string) (*ociimage.Signed, error) {
	s, err := ociimage.VerifySigned(ctx, t.cosign, t.repo, t.tag, t.key)
	if err != nil {
		return nil, err
	}
	dir, err := ociimage.ResolveLayout(layout, tmp)
	if err != nil {
		return nil, err
	}
	local, err := ociimage.ReadLayoutIndex(dir)
	if err != nil {
		return nil, err
	}
	if err := s.MatchesIndex(local); err != nil {
		return nil, err
	}
	if sbomFile != "" {
		b, err := os.ReadFile(sbomFile)
		if err != nil {
			return nil, err
		}
		if err := s.HasSBOM(ctx, t.repo, b); err != nil {
			return nil, err
		}
		if err := t.cosign.VerifySBOMAttestation(ctx, s.Ref, t.key, b); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func sbomNote(f string) string {
	if f == "" {
		return ""
	}
	return ", SBOM referrer and attestation"
}

func repoName(registry, prefix, name string) string {
	registry = strings.TrimSuffix(strings.TrimSpace(registry), "/")
	if p := strings.Trim(prefix, "/"); p != "" {
		return registry + "/" + p + "/" + name
	}
	return registry + "/" + name
}

// userPath resolves a path given to `bazel run` against the user's working
// directory (the binary itself runs in its runfiles tree).
func userPath(p string, getenv func(string) string) string {
	if wd := getenv("BUILD_WORKING_DIRECTORY"); p != "" && !filepath.IsAbs(p) && wd != "" {
		return filepath.Join(wd, p)
	}
	return p
}
