// Package service is the process plumbing every find-peers service binary
// shares: the common server flags (AddFlags), and Main, which dispatches the
// subcommand, answers -h, probes /healthz for `<service> health`, and sets
// up the JSON logger and the SIGTERM/SIGINT context before handing over to
// the service's own commands.
//
// A service's main.go keeps its own flags and wiring:
//
//	func run(args []string, lookup func(string) (string, bool), stderr io.Writer) int {
//		var s settings
//		return service.Main(service.Program{
//			Name:     "aggregator",
//			Commands: []string{"serve", "health"},
//			Parse: func(cmd string, args []string) (service.Settings, error) {
//				var err error
//				s, err = parseSettings(args, lookup, stderr)
//				return s.Settings, err
//			},
//			Run: func(ctx context.Context, cmd string, logger *slog.Logger) int { ... },
//		}, args, stderr)
//	}
package service

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/find-peers/find-peers/libs/httpx"
)

// healthProbeTimeout bounds `<service> health`, the container healthcheck.
const healthProbeTimeout = 3 * time.Second

// Program describes a service binary to Main.
type Program struct {
	// Name prefixes usage errors ("beacon: ...").
	Name string
	// Commands are the accepted subcommands, in the order the usage error
	// lists them. "serve" is the default when the first argument is a flag;
	// "health" is answered by Main itself.
	Commands []string
	// Parse parses the flags of cmd (args without the subcommand) and
	// returns the common settings. It returns flag.ErrHelp for -h.
	Parse func(cmd string, args []string) (Settings, error)
	// Help, when set, adds to the flag package's usage after -h.
	Help func(w io.Writer)
	// Run carries out cmd (any command but "health") until ctx ends, which
	// SIGTERM or SIGINT does, and returns the exit code. It logs its own
	// failures: their wording is each service's.
	Run func(ctx context.Context, cmd string, logger *slog.Logger) int
}

// Main is a service's main without the process exit: it returns the exit
// code, 0 ok, 1 failure, 2 bad usage. Usage errors and the health probe's
// answer go to stderr as plain text; once settings are valid, everything is
// logged as JSON lines on stderr, also through slog's default logger.
func Main(p Program, args []string, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	if !slices.Contains(p.Commands, cmd) {
		fmt.Fprintf(stderr, "%s: unknown command %q (want %s)\n", p.Name, cmd, orList(p.Commands))
		return 2
	}
	s, err := p.Parse(cmd, args)
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
	if cmd == "health" {
		// Images have no shell or curl: the binary probes its own server.
		if err := httpx.ProbeHealthz(context.Background(), s.Server.Addr, healthProbeTimeout); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		return 0
	}

	logger := httpx.NewJSONLogger(stderr, s.LogLevel)
	slog.SetDefault(logger)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	return p.Run(ctx, cmd, logger)
}

// orList joins ["a", "b", "c"] as "a, b or c".
func orList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}
