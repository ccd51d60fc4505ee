// Command registry runs a local OCI registry (go-containerregistry's
// pkg/registry) so that images can be pushed and pulled on a machine that
// reaches no public registry: `bazel run //tools/build/registry -- --addr 127.0.0.1:5000`.
//
// Manifests live in memory; blobs in memory, or on disk with --dir, which
// makes pushed layers survive a restart (manifests do not: push again).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
)

func main() {
	addr := flag.String("addr", envOr("REGISTRY_ADDR", "127.0.0.1:5000"), "listen address (env REGISTRY_ADDR)")
	dir := flag.String("dir", os.Getenv("REGISTRY_DIR"), "directory for blobs; empty keeps them in memory (env REGISTRY_DIR)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("registry: listen on %s: %v", *addr, err)
	}
	fmt.Printf("registry: serving on http://%s (blobs: %s)\n", ln.Addr(), describe(*dir))
	if err := serve(ctx, ln, newHandler(*dir)); err != nil {
		log.Fatalf("registry: %v", err)
	}
}

func newHandler(dir string) http.Handler {
	opts := []registry.Option{registry.Logger(log.New(os.Stderr, "registry: ", log.LstdFlags))}
	if dir != "" {
		opts = append(opts, registry.WithBlobHandler(registry.NewDiskBlobHandler(dir)))
	}
	return registry.New(opts...)
}

// serve runs the registry until ctx ends, then drains in-flight uploads.
// No write timeout: a layer upload may legitimately take long; idle and
// header timeouts still stop stuck clients.
func serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

func describe(dir string) string {
	if dir == "" {
		return "in memory"
	}
	return dir
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
