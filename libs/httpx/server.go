package httpx

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// ServerConfig holds the listen address and the limits of an HTTP server.
// Zero durations and sizes take the defaults of DefaultServerConfig.
type ServerConfig struct {
	Addr              string        // e.g. "127.0.0.1:8080"; port 0 picks a free port
	ReadHeaderTimeout time.Duration // slowloris guard
	ReadTimeout       time.Duration // whole request, body included
	WriteTimeout      time.Duration // whole answer; streams extend it per write (see libs/sse)
	IdleTimeout       time.Duration // keep-alive connections
	MaxHeaderBytes    int
	ShutdownTimeout   time.Duration // how long in-flight requests may drain
	// MaxConnAge closes keep-alive connections after about this age, so load
	// spreads onto new replicas (see connage.go); 0: never. It is not
	// defaulted, since 0 is meaningful.
	MaxConnAge time.Duration
}

// DefaultServerConfig returns the limits every service starts from.
func DefaultServerConfig(addr string) ServerConfig {
	return ServerConfig{
		Addr:              addr,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ShutdownTimeout:   20 * time.Second,
		MaxConnAge:        30 * time.Second,
	}
}

func (c ServerConfig) withDefaults() ServerConfig {
	d := DefaultServerConfig(c.Addr)
	if c.ReadHeaderTimeout <= 0 {
		c.ReadHeaderTimeout = d.ReadHeaderTimeout
	}
	if c.ReadTimeout <= 0 {
		c.ReadTimeout = d.ReadTimeout
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = d.WriteTimeout
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = d.IdleTimeout
	}
	if c.MaxHeaderBytes <= 0 {
		c.MaxHeaderBytes = d.MaxHeaderBytes
	}
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = d.ShutdownTimeout
	}
	return c
}

type shutdownKey struct{}

// ShuttingDown returns a channel that is closed when the server that is
// serving the request (ctx is its request context) begins a graceful
// shutdown. Long-lived handlers such as event streams select on it and
// return, because http.Server.Shutdown waits for every handler to finish and
// a stream never would. Outside Serve it returns nil (never ready).
func ShuttingDown(ctx context.Context) <-chan struct{} {
	ch, _ := ctx.Value(shutdownKey{}).(chan struct{})
	return ch
}

// Serve listens on cfg.Addr and serves h until ctx is cancelled, then shuts
// down gracefully. See ServeListener.
func Serve(ctx context.Context, cfg ServerConfig, h http.Handler, logger *slog.Logger) error {
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %q: %w", cfg.Addr, err)
	}
	return ServeListener(ctx, ln, cfg, h, logger)
}

// ServeListener serves h on ln (whose Addr() is the actual address when the
// configured port was 0) until ctx is cancelled — in main, by SIGTERM through
// signal.NotifyContext. It then stops accepting connections, signals
// long-lived handlers (ShuttingDown), waits up to cfg.ShutdownTimeout for
// in-flight requests to finish and returns nil. Requests in flight keep their
// own contexts: cancelling ctx does not abort them, it only starts the drain.
// ServeListener closes ln.
func ServeListener(ctx context.Context, ln net.Listener, cfg ServerConfig, h http.Handler, logger *slog.Logger) error {
	if logger == nil {
		logger = slog.Default()
	}
	cfg = cfg.withDefaults()
	shutdown := make(chan struct{})
	var once sync.Once
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    cfg.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		// Requests inherit ctx's values but not its cancellation, so that
		// SIGTERM drains them instead of failing them.
		BaseContext: func(net.Listener) context.Context {
			return context.WithValue(context.WithoutCancel(ctx), shutdownKey{}, shutdown)
		},
	}
	if cfg.MaxConnAge > 0 {
		srv.ConnContext = connCloseAt(cfg.MaxConnAge)
		srv.Handler = closeAgedConns(h)
	}
	srv.RegisterOnShutdown(func() { once.Do(func() { close(shutdown) }) })

	addr := ln.Addr().String()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	logger.Info("http server listening", "addr", addr)

	select {
	case err := <-errc:
		return fmt.Errorf("serve http on %s: %w", addr, err)
	case <-ctx.Done():
	}

	logger.Info("http server shutting down", "addr", addr, "timeout", cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		// Drain took too long: cut the remaining connections.
		closeErr := srv.Close()
		<-errc
		return fmt.Errorf("graceful shutdown of %s: %w", addr, errors.Join(err, closeErr))
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve http on %s: %w", addr, err)
	}
	logger.Info("http server stopped", "addr", addr)
	return nil
}
