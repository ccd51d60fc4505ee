// Command imagebuilder builds a reproducible multi-platform OCI image of a
// static Go binary (one per platform), without a Dockerfile or a base image:
//
//	imagebuilder --name find-peers/beacon \
//	  --binary linux/amd64=beacon_amd64 --binary linux/arm64=beacon_arm64 \
//	  --port 8081 --env BEACON_LISTEN_ADDR=:8081 \
//	  --label org.opencontainers.image.title=beacon \
//	  --packages beacon.pkgs --gomod go.mod --gosum go.sum \
//	  --layout beacon.oci --tarball beacon.tar --sbom beacon.sbom.spdx.json --digest beacon.digest
//
// It writes an OCI image layout holding the image index, a `podman load`
// tarball of one platform's image (--tarball-platform, default the
// platform this tool runs on), an SPDX 2.3 SBOM and a JSON digest summary.
// The creation time is the Unix epoch unless --created is given; the
// environment (SOURCE_DATE_EPOCH included) is deliberately ignored.
// The image logic lives in package image; this is flag parsing.
package main

import (
	"debug/buildinfo"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/find-peers/find-peers/libs/ociimage"
)

type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "imagebuilder:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("imagebuilder", flag.ContinueOnError)
	var binaries, ports, envs, labels multi
	name := fs.String("name", "", "image name, e.g. find-peers/beacon (the tarball is tagged NAME:latest)")
	fs.Var(&binaries, "binary", "OS/ARCH=PATH of a static binary (repeat per platform)")
	fs.Var(&ports, "port", "exposed port, e.g. 8081 or 8081/tcp (repeatable)")
	fs.Var(&envs, "env", "KEY=VALUE environment entry (repeatable)")
	fs.Var(&labels, "label", "KEY=VALUE config label (repeatable)")
	createdFlag := fs.String("created", "", "creation time (RFC 3339 or Unix seconds); default the Unix epoch")
	pkgsFile := fs.String("packages", "", "file listing the import paths linked into the binary (SBOM fallback when the binary has no module build info)")
	gomod := fs.String("gomod", "", "go.mod (with --packages)")
	gosum := fs.String("gosum", "", "go.sum (with --packages)")
	tarPlatform := fs.String("tarball-platform", runtime.GOOS+"/"+runtime.GOARCH, "platform of the image written to --tarball")
	outLayout := fs.String("layout", "", "output: OCI image layout directory")
	outTar := fs.String("tarball", "", "output: docker/podman-loadable tarball")
	outSBOM := fs.String("sbom", "", "output: SPDX 2.3 JSON SBOM")
	outDigest := fs.String("digest", "", "output: JSON digest summary")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	spec := ociimage.Spec{Name: *name, Ports: ports, Env: envs, Labels: map[string]string{}}
	for _, l := range labels {
		k, v, ok := strings.Cut(l, "=")
		if !ok || k == "" {
			return fmt.Errorf("--label %q: want KEY=VALUE", l)
		}
		spec.Labels[k] = v
	}
	for _, b := range binaries {
		ps, path, ok := strings.Cut(b, "=")
		if !ok || path == "" {
			return fmt.Errorf("--binary %q: want OS/ARCH=PATH", b)
		}
		p, err := ociimage.ParsePlatform(ps)
		if err != nil {
			return fmt.Errorf("--binary: %w", err)
		}
		spec.Binaries = append(spec.Binaries, ociimage.Binary{Platform: p, Path: path})
	}
	if *createdFlag != "" {
		t, err := parseTime(*createdFlag)
		if err != nil {
			return err
		}
		spec.Created = t
	}

	built, err := ociimage.Build(spec)
	if err != nil {
		return err
	}
	sum, err := ociimage.Summarize(*name, built)
	if err != nil {
		return err
	}
	if *outLayout != "" {
		if err := ociimage.WriteLayout(*outLayout, built.Index, "latest"); err != nil {
			return err
		}
	}
	if *outTar != "" {
		p, err := ociimage.ParsePlatform(*tarPlatform)
		if err != nil {
			return fmt.Errorf("--tarball-platform: %w", err)
		}
		img, ok := built.ImageFor(p)
		if !ok {
			return fmt.Errorf("--tarball-platform %s: no binary for it", *tarPlatform)
		}
		if err := ociimage.WriteTarball(*outTar, *name+":latest", img); err != nil {
			return err
		}
		sum.TarballPlatform = p.String()
	}
	if *outSBOM != "" {
		in, err := sbomInput(spec, sum.IndexDigest, *pkgsFile, *gomod, *gosum)
		if err != nil {
			return err
		}
		doc, err := ociimage.SPDX(in)
		if err != nil {
			return err
		}
		if err := os.WriteFile(*outSBOM, doc, 0o644); err != nil {
			return err
		}
	}
	if *outDigest != "" {
		if err := ociimage.WriteJSON(*outDigest, sum); err != nil {
			return err
		}
	}
	return nil
}

// sbomInput reads the modules from the first binary's build info, or, when
// it has none (rules_go embeds only the Go version), from the linked
// packages list and go.mod/go.sum.
func sbomInput(spec ociimage.Spec, indexDigest, pkgsFile, gomod, gosum string) (ociimage.SBOMInput, error) {
	in := ociimage.SBOMInput{ImageName: spec.Name, IndexDigest: indexDigest, Created: spec.Created}
	bins := append([]ociimage.Binary(nil), spec.Binaries...)
	sort.Slice(bins, func(i, j int) bool { return bins[i].Platform.String() < bins[j].Platform.String() })
	bi, err := buildinfo.ReadFile(bins[0].Path)
	if err != nil {
		return in, fmt.Errorf("build info of %s: %w", bins[0].Path, err)
	}
	in.GoVersion = bi.GoVersion
	if mods, ok := ociimage.ModulesFromBuildInfo(bi); ok {
		in.Modules = mods
		return in, nil
	}
	if pkgsFile == "" || gomod == "" || gosum == "" {
		return in, errors.New("the binary records no modules: pass --packages, --gomod and --gosum")
	}
	pkgs, err := os.ReadFile(pkgsFile)
	if err != nil {
		return in, err
	}
	mod, err := os.ReadFile(gomod)
	if err != nil {
		return in, err
	}
	sumData, err := os.ReadFile(gosum)
	if err != nil {
		return in, err
	}
	version := spec.Labels["org.opencontainers.image.version"]
	if version == "" {
		version = "(devel)"
	}
	in.Modules, err = ociimage.ModulesFromPackages(strings.Split(string(pkgs), "\n"), mod, sumData, version)
	return in, err
}

func parseTime(s string) (time.Time, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0).UTC(), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--created %q: want RFC 3339 or Unix seconds", s)
	}
	return t.UTC(), nil
}
