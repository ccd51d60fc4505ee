// Command aggregator is find-peers' front controller: for a location and a
// time it fans out to beacon-service and tracking-service and merges their
// answers, and it streams new sightings at a location as server-sent events.
//
//	aggregator [serve] [flags]  serve HTTP until SIGTERM/SIGINT
//	aggregator health [flags]   GET /healthz on the listen address; exit 0 or 1
//
// Every flag falls back to an AGGREGATOR_* environment variable (see -h).
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

// settings is the aggregator's configuration (flags with env fallbacks).
type settings struct {
	server      httpx.ServerConfig
	beaconURL   *url.URL
	trackingURL *url.URL
	callTimeout time.Duration
	opts        options
	logLevel    slog.Level
}

// parseSettings reads flags from args with AGGREGATOR_* env fallbacks taken
// from lookup.
func parseSettings(args []string, lookup func(string) (string, bool), stderr io.Writer) (settings, error) {
	fs := config.NewWithLookup("aggregator", "AGGREGATOR", lookup)
	fs.SetOutput(stderr)
	def := httpx.DefaultServerConfig("")
	addr := fs.String("listen-addr", "127.0.0.1:8083", "address to serve HTTP on (\":8083\" in a container)")
	beacon := fs.String("beacon-url", "http://127.0.0.1:8081", "base URL of beacon-service")
	tracking := fs.String("tracking-url", "http://127.0.0.1:8082", "base URL of tracking-service")
	callTimeout := fs.Duration("call-timeout", 5*time.Second, "timeout of each upstream JSON call")
	concurrency := fs.Int("fanout-concurrency", 16, "tracking-service calls in flight per request")
	readyTimeout := fs.Duration("ready-timeout", 2*time.Second, "timeout of the /readyz upstream checks")
	heartbeat := fs.Duration("sse-heartbeat", 15*time.Second, "idle interval between heartbeat comments on live streams")
	streamWrite := fs.Duration("sse-write-timeout", 10*time.Second, "bound of each write to a live stream's client (a client that stops reading is cut off)")
	backoffMin := fs.Duration("reconnect-min", 250*time.Millisecond, "first delay before reconnecting to tracking's event stream")
	backoffMax := fs.Duration("reconnect-max", 10*time.Second, "cap of the doubling reconnect delay")
	readHeader := fs.Duration("read-header-timeout", def.ReadHeaderTimeout, "time allowed to read request headers")
	read := fs.Duration("read-timeout", def.ReadTimeout, "time allowed to read a whole request")
	write := fs.Duration("write-timeout", def.WriteTimeout, "time allowed to write an answer (event streams are exempt)")
	idle := fs.Duration("idle-timeout", def.IdleTimeout, "keep-alive idle timeout")
	shutdown := fs.Duration("shutdown-timeout", def.ShutdownTimeout, "time in-flight requests get to finish on SIGTERM")
	maxHeader := fs.Int("max-header-bytes", def.MaxHeaderBytes, "request header size limit")
	level := fs.String("log-level", "info", "log level: debug, info, warn, error")

	var beaconURL, trackingURL *url.URL
	var logLevel slog.Level
	fs.Validate("listen-addr", func() error { return config.HostPort(*addr) })
	fs.Validate("beacon-url", func() (err error) { beaconURL, err = parseBaseURL(*beacon); return err })
	fs.Validate("tracking-url", func() (err error) { trackingURL, err = parseBaseURL(*tracking); return err })
	for name, d := range map[string]*time.Duration{
		"call-timeout": callTimeout, "ready-timeout": readyTimeout, "sse-heartbeat": heartbeat, "sse-write-timeout": streamWrite,
		"reconnect-min": backoffMin, "reconnect-max": backoffMax, "read-header-timeout": readHeader,
		"read-timeout": read, "write-timeout": write, "idle-timeout": idle, "shutdown-timeout": shutdown,
	} {
		fs.Validate(name, func() error { return config.Positive(*d) })
	}
	fs.Validate("fanout-concurrency", func() error { return config.Positive(*concurrency) })
	fs.Validate("max-header-bytes", func() error { return config.Positive(*maxHeader) })
	fs.Validate("reconnect-max", func() error {
		if *backoffMax < *backoffMin {
			return fmt.Errorf("%s is below reconnect-min %s", *backoffMax, *backoffMin)
		}
		return nil
	})
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
		beaconURL:   beaconURL,
		trackingURL: trackingURL,
		callTimeout: *callTimeout,
		opts: options{
			Concurrency:  *concurrency,
			ReadyTimeout: *readyTimeout,
			Live:         liveConfig{Heartbeat: *heartbeat, WriteTimeout: *streamWrite, BackoffMin: *backoffMin, BackoffMax: *backoffMax},
		},
		logLevel: logLevel,
	}, nil
}

// parseBaseURL accepts an http(s) URL with a host and no query: the API's
// paths are appended to it.
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
		fmt.Fprintf(stderr, "%s: unknown command %q (want serve or health)\n", "aggregator", cmd)
		return 2
	}
	health := cmd == "health"
	s, err := parseSettings(args, lookup, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "aggregator: %v\n", err)
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

	up := &Upstreams{
		Beacon:   s.beaconURL,
		Tracking: s.trackingURL,
		// No client-wide timeout: JSON calls get CallTimeout each, and live
		// streams last as long as their subscriber.
		HTTP:        httpx.NewClient(0),
		CallTimeout: s.callTimeout,
	}
	handler := newHandler(up, s.opts, httpx.NewRegistry(), logger)
	logger.Info("aggregator starting", "beacon_url", s.beaconURL.String(), "tracking_url", s.trackingURL.String())
	if err := httpx.Serve(ctx, s.server, handler, logger); err != nil {
		logger.Error("aggregator stopped", "error", err)
		return 1
	}
	return 0
}
