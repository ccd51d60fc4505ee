// Package service is the process plumbing every find-peers service binary
// shares: Program, whose Main dispatches the subcommand, parses the common
// server flags (AddFlags) with the service's own, answers -h, probes
// /healthz for `<service> health`, and sets up the JSON logger and the
// SIGTERM/SIGINT context before handing the typed settings over to the
// service's command.
//
// A service's main.go keeps its own flags and wiring:
//
//	var program = service.Program[settings]{
//		Name: "aggregator", EnvPrefix: "AGGREGATOR", Commands: []string{"serve", "health"},
//		Defaults: service.Defaults{Addr: "127.0.0.1:8083", ...},
//		Flags: func(fs *config.Set) func(service.Settings) settings { ... },
//		Run:   func(ctx context.Context, cmd string, s settings, logger *slog.Logger) int { ... },
//	}
//
//	func run(args []string, lookup func(string) (string, bool), stderr io.Writer) int {
//		return program.Main(args, lookup, stderr)
//	}
package service

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/find-peers/find-peers/libs/config"
	"github.com/find-peers/find-peers/libs/httpx"
	"github.com/find-peers/find-peers/libs/tracing"
)

// healthProbeTimeout bounds `<service> health`, the container healthcheck.
const healthProbeTimeout = 3 * time.Second

// traceFlushTimeout bounds sending the last spans at exit.
const traceFlushTimeout = 5 * time.Second

// Config is what Main needs of a service's settings: the common part,
// which a settings struct has by embedding Settings.
type Config interface{ Common() Settings }

// Common returns s; embedding Settings gives a settings struct Config.
func (s Settings) Common() Settings { return s }

// Program describes a service binary whose settings are an S.
type Program[S Config] struct {
	// Name prefixes usage errors ("beacon: ...") and names the flag set of
	// each command ("beacon serve").
	Name string
	// EnvPrefix is the prefix of the flags' environment fallbacks: "BEACON"
	// for BEACON_LISTEN_ADDR.
	EnvPrefix string
	// Commands are the accepted subcommands, in the order the usage error
	// lists them. "serve" is the default when the first argument is a flag;
	// "health" is answered by Main itself.
	Commands []string
	// Defaults are the service's defaults of the common flags.
	Defaults Defaults
	// Flags registers the service's own flags (and their validation) on fs
	// and returns what builds the settings from them, and from the common
	// settings, once fs is parsed.
	Flags func(fs *config.Set) func(common Settings) S
	// Help, when set, adds to the flag package's usage after -h.
	Help func(w io.Writer)
	// Run carries out cmd (any command but "health") with the parsed
	// settings until ctx ends, which SIGTERM or SIGINT does, and returns the
	// exit code. It logs its own failures: their wording is each service's.
	Run func(ctx context.Context, cmd string, s S, logger *slog.Logger) int
}

// Parse parses the flags of cmd (args without the subcommand), falling back
// to the EnvPrefix_* variables of lookup; usage goes to stderr. It returns
// flag.ErrHelp for -h.
func (p Program[S]) Parse(cmd string, args []string, lookup func(string) (string, bool), stderr io.Writer) (S, error) {
	var zero S
	fs := config.NewWithLookup(p.Name+" "+cmd, p.EnvPrefix, lookup)
	fs.SetOutput(stderr)
	common := AddFlags(fs, p.Defaults)
	build := p.Flags(fs)
	if err := fs.Parse(args); err != nil {
		return zero, err
	}
	if fs.NArg() > 0 {
		return zero, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return build(common.Settings()), nil
}

// Main is a service's main without the process exit: it returns the exit
// code, 0 ok, 1 failure, 2 bad usage. Usage errors and the health probe's
// answer go to stderr as plain text; once settings are valid, everything is
// logged as JSON lines on stderr, also through slog's default logger.
func (p Program[S]) Main(args []string, lookup func(string) (string, bool), stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	if !slices.Contains(p.Commands, cmd) {
		fmt.Fprintf(stderr, "%s: unknown command %q (want %s)\n", p.Name, cmd, orList(p.Commands))
		return 2
	}
	s, err := p.Parse(cmd, args, lookup, stderr)
	if errors.Is(err, flag.ErrHelp) {
		if p.Help != nil {
			p.Help(stderr)
		}
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", p.Name, err)
		return 2
	}
	common := s.Common()
	if cmd == "health" {
		// Images have no shell or curl: the binary probes its own server.
		if err := httpx.ProbeHealthz(context.Background(), common.Server.Addr, healthProbeTimeout); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		return 0
	}

	logger := httpx.NewJSONLogger(stderr, common.LogLevel)
	slog.SetDefault(logger)
	flush, err := tracing.Setup(p.Name, lookup)
	if err != nil {
		logger.Error("bad tracing settings", "error", err)
		return 2
	}
	defer flushTraces(flush, logger)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	return p.Run(ctx, cmd, s, logger)
}

// flushTraces sends the spans still queued (a few seconds at most: an
// unreachable trace back end must not hold up a shutdown).
func flushTraces(flush func(context.Context) error, logger *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), traceFlushTimeout)
	defer cancel()
	if err := flush(ctx); err != nil {
		logger.Warn("flushing traces failed", "error", err)
	}
}

// Ops are the operational endpoints of a service with these settings (a
// fresh registry, the /readyz bound) running checks; see httpx.Ops.
func (s Settings) Ops(checks ...httpx.Check) httpx.Ops {
	return httpx.Ops{Registry: httpx.NewRegistry(), ReadyTimeout: s.ReadyTimeout, Checks: checks}
}

// Serve serves h with the common settings until ctx ends and returns the
// exit code: 1 when the server failed (logged as "<name> stopped"), else 0.
func Serve(ctx context.Context, name string, s Settings, h http.Handler, logger *slog.Logger) int {
	if err := ServeHTTP(ctx, s, h, logger); err != nil {
		logger.Error(name+" stopped", "error", err)
		return 1
	}
	return 0
}

// orList joins ["a", "b", "c"] as "a, b or c".
func orList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}
