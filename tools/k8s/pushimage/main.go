// Command pushimage puts an image the local cluster needs into a registry
// and prints its reference by digest (REPOSITORY@sha256:...):
//
//	pushimage --binary PATH --repo REPOSITORY [--tag T]    a static binary as a one-binary image
//	pushimage --tarball PATH --repo REPOSITORY [--tag T]   a docker-save tarball as it is
//
// --binary makes the same image as the services' (libs/ociimage: base files,
// the binary at /app, non-root user, epoch timestamps), so the same binary
// gives the same digest on any machine. tools/k8s-up uses it for the pause
// and CoreDNS images, tools/k8s-deploy for the Cassandra image.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/find-peers/find-peers/libs/ociimage"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ref, err := run(ctx, os.Args[1:], os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pushimage:", err)
		os.Exit(1)
	}
	fmt.Println(ref)
}

func run(ctx context.Context, args []string, log io.Writer) (string, error) {
	fs := flag.NewFlagSet("pushimage", flag.ContinueOnError)
	fs.SetOutput(log)
	binary := fs.String("binary", "", "a static executable to wrap as /app")
	tarballPath := fs.String("tarball", "", "a docker-save tarball (one image) to push as it is")
	repo := fs.String("repo", "", "repository to push to, e.g. 127.0.0.1:32000/k8s/pause")
	tag := fs.String("tag", "latest", "tag to push under (the printed reference is by digest)")
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	if *repo == "" || (*binary == "") == (*tarballPath == "") {
		return "", errors.New("want --repo and exactly one of --binary or --tarball")
	}
	img, err := load(*binary, *tarballPath, *repo)
	if err != nil {
		return "", err
	}
	d, err := ociimage.Push(ctx, img, *repo, []string{*tag}, log)
	if err != nil {
		return "", err
	}
	return *repo + "@" + d.String(), nil
}

func load(binary, tarballPath, repo string) (v1.Image, error) {
	if tarballPath != "" {
		img, err := tarball.ImageFromPath(tarballPath, nil)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", tarballPath, err)
		}
		return img, nil
	}
	bin, err := os.ReadFile(binary)
	if err != nil {
		return nil, err
	}
	base, err := ociimage.BaseLayer()
	if err != nil {
		return nil, err
	}
	p := v1.Platform{OS: "linux", Architecture: runtime.GOARCH}
	return ociimage.Image(ociimage.Spec{Name: repo}, p, base, bin)
}
