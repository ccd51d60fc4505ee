// Command imagepush pushes image indexes from OCI layouts to a registry:
//
//	bazel run //images:push [-- --registry HOST[:PORT][/PREFIX]] [--tag T]
//
// The registry comes from --registry, else IMAGE_REGISTRY, else
// localhost:5000. Every image NAME=LAYOUT is pushed as REGISTRY/find-peers/NAME
// with the tags "latest" and a stamp: --tag, else the short git commit of the
// build (--source-stamp: Bazel's workspace status, see stamp.go), else "dev". Credentials come
// from the default keychain (~/.docker/config.json, credential helpers).
// Registries on localhost/127.0.0.1/[::1] are spoken to over plain HTTP.
//
// Supply chain (docs/SECURITY.md, "Signed images"), all opt-in so that a
// plain push still pushes the digests Bazel built (//images:resolve pins
// them):
//
//	--sbom NAME=FILE  attach the SPDX SBOM to the pushed index as an OCI
//	                  referrer (//images:push passes every service's)
//	--stamp           stamp org.opencontainers.image.revision/version/created
//	                  from --source-stamp into every image config and the index: a new
//	                  digest, printed next to the built one
//	--sign-key KEY    sign each pushed index by digest with cosign (no
//	                  transparency log), and attest its SBOM (a signed copy);
//	                  --cosign or COSIGN_BIN names the binary
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"

	"github.com/find-peers/find-peers/libs/ociimage"
	"github.com/find-peers/find-peers/libs/rloc"
)

// DefaultRegistry is used when neither --registry nor IMAGE_REGISTRY is set.
const DefaultRegistry = "localhost:5000"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "imagepush:", err)
		os.Exit(1)
	}
}

// options are run's flags, resolved.
type options struct {
	registry, repoPrefix string
	tags                 []string
	stamp                ociimage.Stamp
	sboms                map[string]string // image name -> SBOM file
	signKey              string
	cosign               ociimage.Cosign
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("imagepush", flag.ContinueOnError)
	var images, sboms rloc.Named
	fs.Var(&images, "image", "NAME=LAYOUT: an OCI layout (runfile path) to push as find-peers/NAME (repeatable)")
	fs.Var(&sboms, "sbom", "NAME=FILE: SPDX SBOM (runfile path) to attach to NAME's pushed index as a referrer (repeatable)")
	registry := fs.String("registry", "", "registry host[:port][/prefix] (default $IMAGE_REGISTRY, else "+DefaultRegistry+")")
	tag := fs.String("tag", "", "extra tag (default: short git commit of the build, else \"dev\")")
	sourceStamp := fs.String("source-stamp", "", "Bazel workspace status file (runfile path) with STABLE_GIT_COMMIT, _COMMIT_TIME, _VERSION (//images:source_stamp)")
	repoPrefix := fs.String("repository-prefix", "find-peers", "repository prefix under the registry")
	stamp := fs.Bool("stamp", false, "stamp org.opencontainers.image.revision/version/created (from --source-stamp) into the pushed images: a new digest, not the built one")
	version := fs.String("version", "", "with --stamp: org.opencontainers.image.version (default --tag, else git describe)")
	signKey := fs.String("sign-key", os.Getenv("COSIGN_KEY"), "cosign private key: sign each pushed index by digest (env COSIGN_KEY; its password in COSIGN_PASSWORD)")
	cosignBin := fs.String("cosign", "", "cosign binary (default $COSIGN_BIN; tools/cosign --install-only prints it)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if len(images) == 0 {
		return errors.New("no --image given")
	}
	layouts, err := images.Resolve()
	if err != nil {
		return err
	}
	o := options{registry: Registry(*registry, os.Getenv("IMAGE_REGISTRY")), repoPrefix: *repoPrefix}
	if o.sboms, err = resolveSBOMs(sboms); err != nil {
		return err
	}
	status, err := readSourceStamp(*sourceStamp)
	if err != nil {
		return err
	}
	st := *tag
	if st == "" {
		st = ShortCommit(status)
	}
	o.tags = []string{"latest", st}
	if *stamp {
		v := *version
		if v == "" {
			v = *tag
		}
		if o.stamp, err = SourceStamp(status, v); err != nil {
			return err
		}
	}
	if o.signKey, o.cosign, err = signer(*signKey, *cosignBin); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "imagepush-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	fmt.Fprintf(out, "pushing %d image(s) to %s with tags latest and %s\n", len(images), o.registry, st)
	for _, l := range layouts {
		if err := pushOne(ctx, o, l, tmp, out); err != nil {
			return fmt.Errorf("%s: %w", l.Name, err)
		}
	}
	return nil
}

// signer checks, before anything is pushed (an unsigned push must not look
// like a signed one), that signing, if asked for, can happen.
func signer(key, cosignBin string) (string, ociimage.Cosign, error) {
	key = userPath(key, os.Getenv)
	if key == "" {
		return "", ociimage.Cosign{}, nil
	}
	c, err := ociimage.CosignFromEnv(cosignBin, os.Getenv)
	if err != nil {
		return "", c, fmt.Errorf("--sign-key: %w", err)
	}
	if _, err := os.Stat(key); err != nil {
		return "", c, fmt.Errorf("--sign-key: %w", err)
	}
	return key, c, nil
}

func resolveSBOMs(n rloc.Named) (map[string]string, error) {
	paths, err := n.Resolve()
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, p := range paths {
		m[p.Name] = p.Path
	}
	return m, nil
}

// pushOne pushes one layout's index (stamped if asked), then attaches its
// SBOM and signs it, both by the pushed digest.
func pushOne(ctx context.Context, o options, l rloc.NamedPath, tmp string, out io.Writer) error {
	// A runfiles tree presents the layout's blobs as symlinks.
	dir, err := ociimage.ResolveLayout(l.Path, tmp)
	if err != nil {
		return err
	}
	idx, err := ociimage.ReadLayoutIndex(dir)
	if err != nil {
		return err
	}
	built, err := idx.Digest()
	if err != nil {
		return err
	}
	if !o.stamp.IsZero() {
		if idx, err = ociimage.StampIndex(idx, o.stamp); err != nil {
			return err
		}
		fmt.Fprintf(out, "  %s: built %s, stamped revision %s version %s created %s\n", l.Name, built,
			o.stamp.Revision, o.stamp.Version, o.stamp.Labels()[ociimage.CreatedLabel])
	}
	repo := o.registry + "/" + strings.Trim(o.repoPrefix, "/") + "/" + l.Name
	if o.repoPrefix == "" {
		repo = o.registry + "/" + l.Name
	}
	d, err := ociimage.Push(ctx, idx, repo, o.tags, out)
	if err != nil {
		return err
	}
	if f := o.sboms[l.Name]; f != "" {
		if err := attachSBOM(ctx, idx, repo, f, out); err != nil {
			return err
		}
	}
	if o.signKey != "" {
		ref := repo + "@" + d.String()
		if err := o.cosign.Sign(ctx, ref, o.signKey); err != nil {
			return err
		}
		fmt.Fprintf(out, "  %s: signed with %s\n", ref, o.signKey)
		if f := o.sboms[l.Name]; f != "" {
			if err := o.cosign.Attest(ctx, ref, o.signKey, f); err != nil {
				return err
			}
			fmt.Fprintf(out, "  %s: SBOM attested (cosign attest --type spdxjson)\n", ref)
		}
	}
	fmt.Fprintf(out, "%s@%s\n", repo, d)
	return nil
}

func attachSBOM(ctx context.Context, idx v1.ImageIndex, repo, file string, out io.Writer) error {
	sbom, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	desc, err := partial.Descriptor(idx)
	if err != nil {
		return err
	}
	h, err := ociimage.AttachSBOM(ctx, repo, *desc, sbom)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "  %s@%s: SBOM attached as referrer %s (%s)\n", repo, desc.Digest, h, ociimage.SPDXArtifactType)
	return nil
}

// Registry picks the registry: flag, then env, then DefaultRegistry.
func Registry(flagValue, env string) string {
	for _, v := range []string{flagValue, env} {
		if v = strings.TrimSuffix(strings.TrimSpace(v), "/"); v != "" {
			return v
		}
	}
	return DefaultRegistry
}

// readSourceStamp reads --source-stamp, a runfile path under `bazel run` or
// a plain path otherwise.
func readSourceStamp(p string) (map[string]string, error) {
	if p == "" {
		return ReadStatus("")
	}
	path, err := rloc.Path(p)
	if err != nil {
		return nil, fmt.Errorf("--source-stamp: %w", err)
	}
	return ReadStatus(path)
}
