// Command gateway is find-peers' single entry point: it routes /beacons,
// /tracking and /aggregator to their services, serves the web page, adds
// request ids, checks API keys (docs/SECURITY.md) and enforces limits.
//
//	gateway [serve] [flags]  serve HTTP until SIGTERM/SIGINT
//	gateway health [flags]   GET /healthz on the listen address; exit 0 or 1
//
// Every flag falls back to a GATEWAY_* environment variable (see -h).
package main

import (
	"context"
	"io"
	"log/slog"
	"net/url"
	"os"
	"time"

	"github.com/find-peers/find-peers/libs/balance"
	"github.com/find-peers/find-peers/libs/config"
	"github.com/find-peers/find-peers/libs/httpx"
	"github.com/find-peers/find-peers/libs/service"
)

// settings is the gateway's configuration (flags with env fallbacks).
type settings struct {
	service.Settings
	upstreams []upstream
	opts      options
	access    accessSettings
}

var program = service.Program[settings]{
	Name:      "gateway",
	EnvPrefix: "GATEWAY",
	Commands:  []string{"serve", "health"},
	Defaults: service.Defaults{
		Addr:             "127.0.0.1:9000",
		ReadyChecks:      "upstream checks",
		WriteTimeoutNote: "event streams are exempt",
		MaxHeaderNote:    "then 431",
	},
	Flags: gatewayFlags,
	Run:   serve,
}

// gatewayFlags registers the gateway's own flags.
func gatewayFlags(fs *config.Set) func(service.Settings) settings {
	beacon := fs.String("beacon-url", "http://127.0.0.1:8081", "base URL of beacon-service")
	tracking := fs.String("tracking-url", "http://127.0.0.1:8082", "base URL of tracking-service")
	aggregator := fs.String("aggregator-url", "http://127.0.0.1:8083", "base URL of aggregator-service")
	dial := fs.Duration("dial-timeout", httpx.DefaultDialTimeout, "connect timeout to upstreams (then 503)")
	respHeader := fs.Duration("response-header-timeout", 30*time.Second, "wait for an upstream's response headers (then 504)")
	resolveEvery := fs.Duration("resolve-interval", balance.DefaultRefresh, "how often the upstreams' hosts are resolved again; each request goes to the next of their addresses (round robin)")
	streamWrite := fs.Duration("stream-write-timeout", 10*time.Second, "bound of each write of a proxied event stream (a client that stops reading is cut off)")
	maxBody := fs.Int("max-body-bytes", httpx.DefaultMaxBody, "request body limit (then 413)")
	access := accessFlags(fs)

	urls := map[string]*string{"beacon-url": beacon, "tracking-url": tracking, "aggregator-url": aggregator}
	parsed := map[string]*url.URL{}
	for name, s := range urls {
		fs.Validate(name, func() (err error) { parsed[name], err = config.BaseURL(*s); return err })
	}
	for name, d := range map[string]*time.Duration{
		"dial-timeout": dial, "response-header-timeout": respHeader, "stream-write-timeout": streamWrite,
		"resolve-interval": resolveEvery,
	} {
		fs.Validate(name, func() error { return config.Positive(*d) })
	}
	fs.Validate("max-body-bytes", func() error { return config.Positive(*maxBody) })
	return func(common service.Settings) settings {
		return settings{
			Settings: common,
			access:   access(),
			upstreams: []upstream{
				{Name: "beacon-service", Prefix: "/beacons", URL: parsed["beacon-url"]},
				{Name: "tracking-service", Prefix: "/tracking", URL: parsed["tracking-url"]},
				{Name: "aggregator-service", Prefix: "/aggregator", URL: parsed["aggregator-url"]},
			},
			opts: options{
				MaxBody:            int64(*maxBody),
				StreamWriteTimeout: *streamWrite,
				Transport: transportConfig{
					DialTimeout: *dial, ResponseHeaderTimeout: *respHeader, ResolveInterval: *resolveEvery,
				},
			},
		}
	}
}

// serve serves the gateway until ctx ends.
func serve(ctx context.Context, _ string, s settings, logger *slog.Logger) int {
	for _, up := range s.upstreams {
		logger.Info("routing", "prefix", up.Prefix, "upstream", up.Name, "url", up.URL.String())
	}
	access, err := s.access.openKeys(ctx, logger)
	if err != nil {
		logger.Error("gateway not started", "error", err)
		return 1
	}
	s.opts.Access = access
	return service.Serve(ctx, "gateway", s.Settings, routes(s.upstreams, s.opts, s.Ops(), logger), logger)
}

func main() {
	os.Exit(run(os.Args[1:], os.LookupEnv, os.Stderr))
}

// run is main without the process exit: it returns the exit code (0 ok,
// 1 failure, 2 bad usage).
func run(args []string, lookup func(string) (string, bool), stderr io.Writer) int {
	return program.Main(args, lookup, stderr)
}
