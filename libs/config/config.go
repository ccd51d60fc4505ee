// Package config reads a service's settings from command-line flags whose
// defaults come from environment variables, so the same binary is configured
// by flags on a laptop and by env in a container:
//
//	fs := config.New("beacon", "BEACON")
//	addr := fs.String("listen-addr", "127.0.0.1:8081", "address to serve HTTP on")
//	fs.Validate("listen-addr", func() error { return config.HostPort(*addr) })
//	if err := fs.Parse(os.Args[1:]); err != nil { ... }
//
// Precedence: flag, then env (BEACON_LISTEN_ADDR), then the coded default.
// Every error names the flag and its env var.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Set is a flag.FlagSet whose flags fall back to environment variables.
type Set struct {
	*flag.FlagSet
	prefix     string
	lookup     func(string) (string, bool)
	envErrs    []envErr
	validators []validator
}

// envErr is an unparsable env value, kept until Parse knows whether the
// flag overrode it.
type envErr struct {
	name string
	err  error
}

type validator struct {
	name string
	fn   func() error
}

// New returns a Set reading env vars named prefix_FLAG_NAME from the process
// environment. Parse errors are returned, not fatal, and usage goes to stderr.
func New(name, prefix string) *Set { return NewWithLookup(name, prefix, os.LookupEnv) }

// NewWithLookup is New with a custom environment (for tests).
func NewWithLookup(name, prefix string, lookup func(string) (string, bool)) *Set {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	return &Set{FlagSet: fs, prefix: prefix, lookup: lookup}
}

// SetOutput sets where usage and flag errors are printed.
func (s *Set) SetOutput(w io.Writer) { s.FlagSet.SetOutput(w) }

// EnvName returns the env var consulted for flag name: "listen-addr" with
// prefix "BEACON" is BEACON_LISTEN_ADDR.
func EnvName(prefix, name string) string {
	n := strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(name))
	if prefix == "" {
		return n
	}
	return strings.ToUpper(prefix) + "_" + n
}

// Env returns the env var name of flag name in this set.
func (s *Set) Env(name string) string { return EnvName(s.prefix, name) }

// envValue returns the env override of flag name, if set and non-empty
// (an empty variable is treated as unset, as compose files often leave them).
func (s *Set) envValue(name string) (string, bool) {
	v, ok := s.lookup(s.Env(name))
	if !ok || v == "" {
		return "", false
	}
	return v, true
}

func (s *Set) usage(name, usage string) string {
	return fmt.Sprintf("%s (env %s)", usage, s.Env(name))
}

func (s *Set) envErr(name, raw string, err error) {
	s.envErrs = append(s.envErrs, envErr{name, fmt.Errorf("setting %s: invalid %s=%q: %w", name, s.Env(name), raw, err)})
}

// String defines a string flag.
func (s *Set) String(name, def, usage string) *string {
	if v, ok := s.envValue(name); ok {
		def = v
	}
	return s.FlagSet.String(name, def, s.usage(name, usage))
}

// Int defines an int flag.
func (s *Set) Int(name string, def int, usage string) *int {
	if raw, ok := s.envValue(name); ok {
		v, err := strconv.Atoi(strings.TrimSpace(raw))
		if err != nil {
			s.envErr(name, raw, errors.New("not an integer"))
		} else {
			def = v
		}
	}
	return s.FlagSet.Int(name, def, s.usage(name, usage))
}

// Bool defines a bool flag (env accepts what strconv.ParseBool accepts).
func (s *Set) Bool(name string, def bool, usage string) *bool {
	if raw, ok := s.envValue(name); ok {
		v, err := strconv.ParseBool(strings.TrimSpace(raw))
		if err != nil {
			s.envErr(name, raw, errors.New("not a boolean"))
		} else {
			def = v
		}
	}
	return s.FlagSet.Bool(name, def, s.usage(name, usage))
}

// Duration defines a time.Duration flag ("5s", "250ms").
func (s *Set) Duration(name string, def time.Duration, usage string) *time.Duration {
	if raw, ok := s.envValue(name); ok {
		v, err := time.ParseDuration(strings.TrimSpace(raw))
		if err != nil {
			s.envErr(name, raw, errors.New(`not a duration such as "5s"`))
		} else {
			def = v
		}
	}
	return s.FlagSet.Duration(name, def, s.usage(name, usage))
}

// List defines a comma-separated list flag ("a,b , c" is [a b c]).
func (s *Set) List(name string, def []string, usage string) *[]string {
	l := &list{vals: append([]string(nil), def...)}
	if raw, ok := s.envValue(name); ok {
		_ = l.Set(raw)
	}
	s.Var(l, name, s.usage(name, usage))
	return &l.vals
}

type list struct{ vals []string }

func (l *list) String() string {
	if l == nil {
		return ""
	}
	return strings.Join(l.vals, ",")
}

func (l *list) Set(v string) error {
	l.vals = l.vals[:0]
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			l.vals = append(l.vals, p)
		}
	}
	return nil
}

// Validate registers a check run by Parse after all values are known; its
// error is reported with the flag and env var names.
func (s *Set) Validate(name string, fn func() error) {
	s.validators = append(s.validators, validator{name, fn})
}

// Parse parses args, then reports every bad env value and failed validation
// at once (errors.Join), each naming its setting. It returns flag.ErrHelp
// for -h.
func (s *Set) Parse(args []string) error {
	if err := s.FlagSet.Parse(args); err != nil {
		return err
	}
	// An env error is moot when the flag was given explicitly.
	explicit := map[string]bool{}
	s.Visit(func(f *flag.Flag) { explicit[f.Name] = true })
	var errs []error
	for _, e := range s.envErrs {
		if !explicit[e.name] {
			errs = append(errs, e.err)
		}
	}
	for _, v := range s.validators {
		if err := v.fn(); err != nil {
			errs = append(errs, fmt.Errorf("setting %s (flag -%s, env %s): %w", v.name, v.name, s.Env(v.name), err))
		}
	}
	return errors.Join(errs...)
}

// HostPort checks that addr is a host:port listen or dial address.
func HostPort(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q is not host:port", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("%q has no valid port", addr)
	}
	return nil
}

// LoopbackHost reports whether host (a host name or an IP, without a port)
// is on this machine's loopback: "localhost", 127.0.0.0/8 or ::1. It is the
// one test for what may only ever be local: the profiling listener and the
// load generator's targets and dials.
func LoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// BaseURL parses an upstream's base URL: http(s) with a host and no query
// or fragment, because the API's paths are appended to it.
func BaseURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%q is not an http(s)://host[:port] base URL", s)
	}
	return u, nil
}

// Positive checks that a duration or number is above zero.
func Positive[T int | int64 | time.Duration](v T) error {
	if v <= 0 {
		return fmt.Errorf("must be positive, got %v", v)
	}
	return nil
}
