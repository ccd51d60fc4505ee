// Command obsimage builds the two images of the observability profile
// (compose.yaml, profile "observability") without a Dockerfile and without
// pulling anything, like tools/build/cassandraimage:
//
//   - find-peers/zipkin:3.6.1: Debian's Java 17 root file system (the one
//     tools/cassandra-image makes), Zipkin's exec jar (fetched from the
//     Maven repository this machine uses and checked against the sha256
//     pinned in zipkin.go) and the static healthcheck ./httpcheck;
//   - find-peers/prometheus:2.42.0: a Debian root file system with the
//     prometheus package (made by tools/observability-images), the
//     configuration and console of ./prometheus, and ./httpcheck.
//
// Layers have sorted entries, fixed mtimes and numeric owners; each image is
// a docker-save tarball (`podman load`) with its config digest beside it in
// FILE.id (podman's image id). An image whose inputs have not changed is not
// written again.
//
//	obsimage -httpcheck BIN -cache DIR -jre-rootfs DIR -prometheus-rootfs DIR -out-dir DIR
//
// Run it through tools/observability-images.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	check := flag.String("httpcheck", "", "static healthcheck binary (required; relative to the runfiles under Bazel)")
	cache := flag.String("cache", "", "download cache for the Zipkin jar (required)")
	jre := flag.String("jre-rootfs", "", "Debian root file system with openjdk-17-jre-headless (required)")
	prom := flag.String("prometheus-rootfs", "", "Debian root file system with the prometheus package (required)")
	outDir := flag.String("out-dir", "", "directory for the tarballs (required)")
	flag.Parse()
	if *check == "" || *cache == "" || *jre == "" || *prom == "" || *outDir == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	checkBin, err := os.ReadFile(*check)
	if err == nil {
		err = buildZipkin(*jre, *cache, checkBin, filepath.Join(*outDir, "zipkin-"+zipkinVersion+".tar"))
	}
	if err == nil {
		err = buildPrometheus(*prom, checkBin, filepath.Join(*outDir, "prometheus-"+prometheusVersion+".tar"))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "obsimage:", err)
		os.Exit(1)
	}
}
