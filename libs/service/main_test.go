package service_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/find-peers/find-peers/libs/config"
	"github.com/find-peers/find-peers/libs/service"
	"github.com/find-peers/find-peers/libs/service/servicetest"
)

// demo is a minimal service: its run records the command it was asked to
// carry out.
func demo(ran *string) servicetest.Run {
	return service.Program[service.Settings]{
		Name:      "demo",
		EnvPrefix: "DEMO",
		Commands:  []string{"serve", "migrate", "health"},
		Defaults:  service.Defaults{Addr: "127.0.0.1:8089", ReadyChecks: "demo check"},
		Flags: func(*config.Set) func(service.Settings) service.Settings {
			return func(common service.Settings) service.Settings { return common }
		},
		Help: func(w io.Writer) { fmt.Fprintln(w, "demo help") },
		Run: func(ctx context.Context, cmd string, _ service.Settings, logger *slog.Logger) int {
			*ran = cmd
			logger.Info("ran", "cmd", cmd)
			return 7
		},
	}.Main
}

func TestMainUsage(t *testing.T) {
	var ran string
	servicetest.CheckUsage(t, demo(&ran), []servicetest.UsageCase{
		{Name: "unknown command", Args: []string{"frobnicate"}, Code: 2, Msg: `demo: unknown command "frobnicate" (want serve, migrate or health)`},
		{Name: "bad flag value", Args: []string{"-listen-addr", "nope"}, Code: 2, Msg: "-listen-addr"},
		{Name: "bad env value", Args: []string{"migrate"}, Env: map[string]string{"DEMO_READ_TIMEOUT": "0s"}, Code: 2, Msg: "DEMO_READ_TIMEOUT"},
		{Name: "bad log level", Args: []string{"-log-level", "loud"}, Code: 2, Msg: "log-level"},
		{Name: "stray argument", Args: []string{"serve", "extra"}, Code: 2, Msg: "unexpected arguments"},
		{Name: "help", Args: []string{"-h"}, Code: 0, Msg: "demo help"},
		{Name: "help names env", Args: []string{"migrate", "-h"}, Code: 0, Msg: "DEMO_LISTEN_ADDR"},
	})
	if ran != "" {
		t.Errorf("a usage error ran %q", ran)
	}
}

func TestMainRunsCommand(t *testing.T) {
	for args, want := range map[string]string{"": "serve", "-log-level debug": "serve", "migrate": "migrate"} {
		var ran string
		var stderr bytes.Buffer
		if code := demo(&ran)(strings.Fields(args), servicetest.Env(nil), &stderr); code != 7 || ran != want {
			t.Errorf("%q: exit %d, ran %q; want 7, %q", args, code, ran, want)
		}
		if !strings.Contains(stderr.String(), `"msg":"ran"`) {
			t.Errorf("%q: no JSON log line: %s", args, stderr.String())
		}
	}
}

func TestMainHealth(t *testing.T) {
	var ran string
	servicetest.CheckHealth(t, demo(&ran), "DEMO")
	if ran != "" {
		t.Errorf("health ran %q", ran)
	}
}

func TestAddFlagsSettings(t *testing.T) {
	fs := config.NewWithLookup("demo", "DEMO", servicetest.Env(map[string]string{"DEMO_WRITE_TIMEOUT": "1m", "DEMO_LOG_LEVEL": "warn"}))
	fs.SetOutput(io.Discard)
	f := service.AddFlags(fs, service.Defaults{Addr: "127.0.0.1:8089", ReadyChecks: "demo check", WriteTimeoutNote: "streams are exempt"})
	if err := fs.Parse([]string{"-ready-timeout", "3s"}); err != nil {
		t.Fatal(err)
	}
	s := f.Settings()
	if s.Server.Addr != "127.0.0.1:8089" || s.Server.WriteTimeout.String() != "1m0s" || s.ReadyTimeout.String() != "3s" || s.LogLevel != slog.LevelWarn {
		t.Errorf("settings %+v", s)
	}
	for name, usage := range map[string]string{
		"listen-addr":      `address to serve HTTP on (":8089" in a container) (env DEMO_LISTEN_ADDR)`,
		"ready-timeout":    "timeout of the /readyz demo check (env DEMO_READY_TIMEOUT)",
		"write-timeout":    "time allowed to write an answer (streams are exempt) (env DEMO_WRITE_TIMEOUT)",
		"max-header-bytes": "request header size limit (env DEMO_MAX_HEADER_BYTES)",
	} {
		if got := fs.Lookup(name); got == nil || got.Usage != usage {
			t.Errorf("-%s usage %v, want %q", name, got, usage)
		}
	}
}

func TestAddFlagsMaxConnAge(t *testing.T) {
	for _, c := range []struct {
		env  string
		want time.Duration
	}{{"", 30 * time.Second}, {"0s", 0}, {"1m", time.Minute}} {
		fs := config.NewWithLookup("demo", "DEMO", servicetest.Env(map[string]string{"DEMO_MAX_CONN_AGE": c.env}))
		fs.SetOutput(io.Discard)
		f := service.AddFlags(fs, service.Defaults{Addr: "127.0.0.1:8089"})
		if err := fs.Parse(nil); err != nil {
			t.Fatalf("DEMO_MAX_CONN_AGE=%q: %v", c.env, err)
		}
		if got := f.Settings().Server.MaxConnAge; got != c.want {
			t.Errorf("DEMO_MAX_CONN_AGE=%q: MaxConnAge %s, want %s", c.env, got, c.want)
		}
	}
	fs := config.NewWithLookup("demo", "DEMO", servicetest.Env(nil))
	fs.SetOutput(io.Discard)
	service.AddFlags(fs, service.Defaults{Addr: "127.0.0.1:8089"})
	if err := fs.Parse([]string{"-max-conn-age", "-1s"}); err == nil || !strings.Contains(err.Error(), "DEMO_MAX_CONN_AGE") {
		t.Errorf("negative -max-conn-age: %v, want an error naming it", err)
	}
}

func TestAddFlagsRequestTimeout(t *testing.T) {
	// Registered with the service's default, from the env, validated.
	fs := config.NewWithLookup("demo", "DEMO", servicetest.Env(map[string]string{"DEMO_REQUEST_TIMEOUT": "3s"}))
	fs.SetOutput(io.Discard)
	f := service.AddFlags(fs, service.Defaults{Addr: "127.0.0.1:8089", RequestTimeout: service.DefaultRequestTimeout})
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if got := f.Settings().RequestTimeout; got != 3*time.Second {
		t.Errorf("RequestTimeout %s, want 3s from DEMO_REQUEST_TIMEOUT", got)
	}
	fs = config.NewWithLookup("demo", "DEMO", servicetest.Env(nil))
	fs.SetOutput(io.Discard)
	service.AddFlags(fs, service.Defaults{Addr: "127.0.0.1:8089", RequestTimeout: time.Second})
	if err := fs.Parse([]string{"-request-timeout", "-1s"}); err == nil || !strings.Contains(err.Error(), "request-timeout") {
		t.Errorf("negative -request-timeout: %v, want an error naming it", err)
	}

	// Without a default (the gateway) there is no such flag and no bound.
	fs = config.NewWithLookup("demo", "DEMO", servicetest.Env(nil))
	fs.SetOutput(io.Discard)
	f = service.AddFlags(fs, service.Defaults{Addr: "127.0.0.1:8089"})
	if fs.Lookup("request-timeout") != nil {
		t.Error("-request-timeout registered without a default")
	}
	if err := fs.Parse(nil); err != nil || f.Settings().RequestTimeout != 0 {
		t.Errorf("Parse %v, RequestTimeout %s; want nil, 0", err, f.Settings().RequestTimeout)
	}
}
