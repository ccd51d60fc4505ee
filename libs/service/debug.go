package service

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/find-peers/find-peers/libs/config"
	"github.com/find-peers/find-peers/libs/httpx"
)

// The opt-in profiling listener (-debug-addr): Go's runtime profiles
// (net/http/pprof) on a second server, off by default and only ever on a
// loopback address, so that a profile of a service under load can be taken
// from the same machine (or with kubectl port-forward) and never from the
// network. It is separate from the API's listener so that neither its
// routes nor its long profile requests go through the API's middleware,
// timeouts or metrics.

// loopbackAddr checks that addr is host:port with a loopback host
// (127.0.0.0/8, ::1 or localhost), as -debug-addr must be.
func loopbackAddr(addr string) error {
	if err := config.HostPort(addr); err != nil {
		return err
	}
	if host, _, _ := net.SplitHostPort(addr); !config.LoopbackHost(host) {
		return fmt.Errorf("%q is not a loopback address: profiles are served on 127.0.0.1, [::1] or localhost only", addr)
	}
	return nil
}

// debugHandler serves the pprof index and profiles under /debug/pprof/.
func debugHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /debug/pprof/", pprof.Index) // the named profiles: heap, goroutine, allocs, ...
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("POST /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	return mux
}

// serveDebug listens on addr (once checked by loopbackAddr) and serves the
// profiles until ctx ends, in the background; it returns once listening,
// or the listen error, so a bad -debug-addr fails the start.
func serveDebug(ctx context.Context, addr string, logger *slog.Logger) (wait func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("debug listener: listen on %q: %w", addr, err)
	}
	cfg := httpx.DefaultServerConfig(addr)
	// The write timeout stays the usual 30 s: pprof extends a connection's
	// deadline by the duration of the CPU profile or trace asked for.
	cfg.ShutdownTimeout = time.Second // a profile in flight is cut, not waited for
	cfg.MaxConnAge = 0
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := httpx.ServeListener(ctx, ln, cfg, debugHandler(), logger.With("listener", "debug")); err != nil {
			logger.Warn("debug listener stopped", "error", err)
		}
	}()
	return func() { <-done }, nil
}

// ServeHTTP serves h with the common settings until ctx ends, and the
// profiles on s.DebugAddr beside it when that is set.
func ServeHTTP(ctx context.Context, s Settings, h http.Handler, logger *slog.Logger) error {
	if s.DebugAddr != "" {
		ctx, cancel := context.WithCancel(ctx)
		wait, err := serveDebug(ctx, s.DebugAddr, logger)
		if err != nil {
			cancel()
			return err
		}
		defer wait()
		defer cancel() // the API server's return (error or drain) ends the debug one
	}
	return httpx.Serve(ctx, s.Server, h, logger)
}
