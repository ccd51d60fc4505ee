// Command gateway is find-peers' single entry point: it routes /beacons,
// /tracking and /aggregator to their services, serves the web page, adds
// request ids and enforces limits.
//
//	gateway [serve] [flags]  serve HTTP until SIGTERM/SIGINT
//	gateway health [flags]   GET /healthz on the listen address; exit 0 or 1
//
// Every flag falls back to a GATEWAY_* environment variable (see -h).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/find-peers/find-peers/libs/config"
	"github.com/find-peers/find-peers/libs/httpx"
)

// settings is the gateway's configuration (flags with env fallbacks).
type settings struct {
	server    httpx.ServerConfig
	upstreams []upstream
	opts      options
	logLevel  slog.Level
}

// parseSettings reads flags from args with GATEWAY_* env fallbacks taken
// from lookup.
func parseSettings(args []string, lookup func(string) (string, bool), stderr io.Writer) (settings, error) {
	fs := config.NewWithLookup("gateway", "GATEWAY", lookup)
	fs.SetOutput(stderr)
	def := httpx.DefaultServerConfig("")
	addr := fs.String("listen-addr", "127.0.0.1:9000", "address to serve HTTP on (\":9000\" in a container)")
	beacon := fs.String("beacon-url", "http://127.0.0.1:8081", "base URL of beacon-service")
	tracking := fs.String("tracking-url", "http://127.0.0.1:8082", "base URL of tracking-service")
	aggregator := fs.String("aggregator-url", "http://127.0.0.1:8083", "base URL of aggregator-service")
	dial := fs.Duration("dial-timeout", 2*time.Second, "connect timeout to upstreams (then 503)")
	respHeader := fs.Duration("response-header-timeout", 30*time.Second, "wait for an upstream's response headers (then 504)")
	streamWrite := fs.Duration("stream-write-timeout", 10*time.Second, "bound of each write of a proxied event stream (a client that stops reading is cut off)")
	maxBody := fs.Int("max-body-bytes", httpx.DefaultMaxBody, "request body limit (then 413)")
	readyTimeout := fs.Duration("ready-timeout", 2*time.Second, "timeout of the /readyz upstream checks")
	readHeader := fs.Duration("read-header-timeout", def.ReadHeaderTimeout, "time allowed to read request headers")
	read := fs.Duration("read-timeout", def.ReadTimeout, "time allowed to read a whole request")
	write := fs.Duration("write-timeout", def.WriteTimeout, "time allowed to write an answer (event streams are exempt)")
	idle := fs.Duration("idle-timeout", def.IdleTimeout, "keep-alive idle timeout")
	shutdown := fs.Duration("shutdown-timeout", def.ShutdownTimeout, "time in-flight requests get to finish on SIGTERM")
	maxHeader := fs.Int("max-header-bytes", def.MaxHeaderBytes, "request header size limit (then 431)")
	level := fs.String("log-level", "info", "log level: debug, info, warn, error")

	urls := map[string]*string{"beacon-url": beacon, "tracking-url": tracking, "aggregator-url": aggregator}
	parsed := map[string]*url.URL{}
	for name, s := range urls {
		fs.Validate(name, func() (err error) { parsed[name], err = parseBaseURL(*s); return err })
	}
	fs.Validate("listen-addr", func() error { return config.HostPort(*addr) })
	for name, d := range map[string]*time.Duration{
		"dial-timeout": dial, "response-header-timeout": respHeader, "ready-timeout": readyTimeout,
		"read-header-timeout": readHeader, "read-timeout": read, "write-timeout": write,
		"idle-timeout": idle, "shutdown-timeout": shutdown, "stream-write-timeout": streamWrite,
	} {
		fs.Validate(name, func() error { return config.Positive(*d) })
	}
	fs.Validate("max-body-bytes", func() error { return config.Positive(*maxBody) })
	fs.Validate("max-header-bytes", func() error { return config.Positive(*maxHeader) })
	var logLevel slog.Level
	fs.Validate("log-level", func() error { return logLevel.UnmarshalText([]byte(*level)) })
	if err := fs.Parse(args); err != nil {
		return settings{}, err
	}
	if fs.NArg() > 0 {
		return settings{}, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return settings{
		server: httpx.ServerConfig{
			Addr: *addr, ReadHeaderTimeout: *readHeader, ReadTimeout: *read, WriteTimeout: *write,
			IdleTimeout: *idle, MaxHeaderBytes: *maxHeader, ShutdownTimeout: *shutdown,
		},
		upstreams: []upstream{
			{Name: "beacon-service", Prefix: "/beacons", URL: parsed["beacon-url"]},
			{Name: "tracking-service", Prefix: "/tracking", URL: parsed["tracking-url"]},
			{Name: "aggregator-service", Prefix: "/aggregator", URL: parsed["aggregator-url"]},
		},
		opts: options{
			MaxBody:            int64(*maxBody),
			ReadyTimeout:       *readyTimeout,
			StreamWriteTimeout: *streamWrite,
			Transport:          transportConfig{DialTimeout: *dial, ResponseHeaderTimeout: *respHeader},
		},
		logLevel: logLevel,
	}, nil
}

// parseBaseURL accepts an http(s) URL with a host and no query.
func parseBaseURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%q is not an http(s)://host[:port] base URL", s)
	}
	return u, nil
}

func main() {
	os.Exit(run(os.Args[1:], os.LookupEnv, os.Stderr))
}

// run is main without the process exit, returning the exit code.
func run(args []string, lookup func(string) (string, bool), stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	if cmd != "serve" && cmd != "health" {
		fmt.Fprintf(stderr, "%s: unknown command %q (want serve or health)\n", "gateway", cmd)
		return 2
	}
	health := cmd == "health"
	s, err := parseSettings(args, lookup, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "gateway: %v\n", err)
		return 2
	}
	if health {
		if err := httpx.ProbeHealthz(context.Background(), s.server.Addr, 3*time.Second); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		return 0
	}

	logger := httpx.NewJSONLogger(stderr, s.logLevel)
	slog.SetDefault(logger)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	for _, up := range s.upstreams {
		logger.Info("routing", "prefix", up.Prefix, "upstream", up.Name, "url", up.URL.String())
	}
	if err := httpx.Serve(ctx, s.server, newHandler(s.upstreams, s.opts, httpx.NewRegistry(), logger), logger); err != nil {
		logger.Error("gateway stopped", "error", err)
		return 1
	}
	return 0
}
