package service

import (
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/find-peers/find-peers/libs/config"
	"github.com/find-peers/find-peers/libs/httpx"
)

// Defaults is what differs between services in the flags every service has.
// The usage texts are part of each binary's -h, so the notes keep each
// service's wording.
type Defaults struct {
	// Addr is the default -listen-addr, e.g. "127.0.0.1:8081". Its port is
	// the container hint of the usage text (":8081" in a container).
	Addr string
	// ReadyChecks names what /readyz checks, for -ready-timeout's usage:
	// "Cassandra check" or "upstream checks".
	ReadyChecks string
	// WriteTimeoutNote and MaxHeaderNote are appended in parentheses to the
	// usage of -write-timeout and -max-header-bytes; "" appends nothing.
	WriteTimeoutNote string
	MaxHeaderNote    string
	// RequestTimeout, when set, adds -request-timeout with this default:
	// the time an API request may take before it is answered 504 (see
	// httpx.WithTimeout). The gateway, a proxy bounded by its upstreams'
	// own deadlines, leaves it zero.
	RequestTimeout time.Duration
}

// DefaultRequestTimeout is the usual -request-timeout: longer than one
// Cassandra request's timeout (5 s), so a retry on another node still fits,
// and shorter than the 10 s clients commonly wait and the gateway's 30 s, so
// callers get the service's JSON 504 rather than a timeout of their own.
const DefaultRequestTimeout = 8 * time.Second

// Settings is the part of a service's configuration that Main and the HTTP
// server need.
type Settings struct {
	Server       httpx.ServerConfig
	LogLevel     slog.Level
	ReadyTimeout time.Duration // bound of the whole /readyz check
	// RequestTimeout bounds each API request (event streams exempt); 0 when
	// the service has no -request-timeout.
	RequestTimeout time.Duration
	// DebugAddr, when set, is the loopback address of the profiling
	// listener (ServeHTTP); "" is off.
	DebugAddr string
}

// Flags are the common flags registered on a config.Set by AddFlags; read
// them with Settings once the set is parsed.
type Flags struct {
	addr, level, debugAddr                                *string
	readHeader, read, write, idle, shutdown, readyTimeout *time.Duration
	maxConnAge                                            *time.Duration
	requestTimeout                                        *time.Duration
	maxHeader                                             *int
	logLevel                                              slog.Level
}

// AddFlags registers -listen-addr, the server timeouts and limits,
// -max-conn-age, -ready-timeout and -log-level on fs (so they get its env
// prefix) together with their validation, which runs in fs.Parse.
func AddFlags(fs *config.Set, d Defaults) *Flags {
	def := httpx.DefaultServerConfig("")
	_, port, _ := net.SplitHostPort(d.Addr)
	f := &Flags{
		addr:         fs.String("listen-addr", d.Addr, "address to serve HTTP on (\":"+port+"\" in a container)"),
		readyTimeout: fs.Duration("ready-timeout", 2*time.Second, "timeout of the /readyz "+d.ReadyChecks),
		readHeader:   fs.Duration("read-header-timeout", def.ReadHeaderTimeout, "time allowed to read request headers"),
		read:         fs.Duration("read-timeout", def.ReadTimeout, "time allowed to read a whole request"),
		write:        fs.Duration("write-timeout", def.WriteTimeout, withNote("time allowed to write an answer", d.WriteTimeoutNote)),
		idle:         fs.Duration("idle-timeout", def.IdleTimeout, "keep-alive idle timeout"),
		shutdown:     fs.Duration("shutdown-timeout", def.ShutdownTimeout, "time in-flight requests get to finish on SIGTERM"),
		maxConnAge:   fs.Duration("max-conn-age", def.MaxConnAge, "close keep-alive connections after an answer once this old (+ up to 10% jitter), so load spreads onto new replicas; 0: never"),
		maxHeader:    fs.Int("max-header-bytes", def.MaxHeaderBytes, withNote("request header size limit", d.MaxHeaderNote)),
		level:        fs.String("log-level", "info", "log level: debug, info, warn, error"),
		debugAddr:    fs.String("debug-addr", "", "loopback address (127.0.0.1:PORT) to serve Go's runtime profiles on, at /debug/pprof/; empty: off"),
	}
	if d.RequestTimeout > 0 {
		f.requestTimeout = fs.Duration("request-timeout", d.RequestTimeout,
			"time an API request may take before it is answered 504 (event streams are exempt; keep it under clients' and the gateway's timeouts)")
		fs.Validate("request-timeout", func() error { return config.Positive(*f.requestTimeout) })
	}
	fs.Validate("listen-addr", func() error { return config.HostPort(*f.addr) })
	fs.Validate("debug-addr", func() error {
		if *f.debugAddr == "" {
			return nil
		}
		return loopbackAddr(*f.debugAddr)
	})
	for name, d := range map[string]*time.Duration{
		"ready-timeout": f.readyTimeout, "read-header-timeout": f.readHeader, "read-timeout": f.read,
		"write-timeout": f.write, "idle-timeout": f.idle, "shutdown-timeout": f.shutdown,
	} {
		fs.Validate(name, func() error { return config.Positive(*d) })
	}
	fs.Validate("max-conn-age", func() error {
		if *f.maxConnAge < 0 {
			return fmt.Errorf("must be 0 (off) or positive, got %s", *f.maxConnAge)
		}
		return nil
	})
	fs.Validate("max-header-bytes", func() error { return config.Positive(*f.maxHeader) })
	fs.Validate("log-level", func() error { return f.logLevel.UnmarshalText([]byte(*f.level)) })
	return f
}

func withNote(usage, note string) string {
	if note == "" {
		return usage
	}
	return usage + " (" + note + ")"
}

// Settings returns the parsed values; call it after the set's Parse
// succeeded (the log level is only known then).
func (f *Flags) Settings() Settings {
	var requestTimeout time.Duration
	if f.requestTimeout != nil {
		requestTimeout = *f.requestTimeout
	}
	return Settings{
		RequestTimeout: requestTimeout,
		Server: httpx.ServerConfig{
			Addr: *f.addr, ReadHeaderTimeout: *f.readHeader, ReadTimeout: *f.read, WriteTimeout: *f.write,
			IdleTimeout: *f.idle, MaxHeaderBytes: *f.maxHeader, ShutdownTimeout: *f.shutdown, MaxConnAge: *f.maxConnAge,
		},
		LogLevel:     f.logLevel,
		ReadyTimeout: *f.readyTimeout,
		DebugAddr:    *f.debugAddr,
	}
}
