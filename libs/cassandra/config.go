package cassandra

import (
	"errors"
	"fmt"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gocql/gocql"
)

// Config says how to reach Cassandra. Build it with FromEnv or by hand and
// call Validate (Connect does) before use.
type Config struct {
	// Hosts are contact points, "host" or "host:port" (default port 9042).
	Hosts []string
	// Keyspace the session is bound to; empty for a session that only
	// creates keyspaces (migrations).
	Keyspace string
	// Consistency of reads and writes; LOCAL_QUORUM unless set.
	Consistency gocql.Consistency
	// LocalDC is the data center whose nodes are preferred; "datacenter1"
	// (Cassandra's default with SimpleSnitch) unless set.
	LocalDC string
	// ConnectTimeout bounds dialing a node; Timeout bounds one request.
	ConnectTimeout time.Duration
	Timeout        time.Duration
	// NumConns is the number of connections per host.
	NumConns int
	// Security: credentials and TLS (security.go); zero for a dev node.
	Security
	// Observer makes a span of every statement under the request's span and
	// records the client metrics (observe.go); nil: spans only.
	Observer *Observer
}

// Environment variables read by FromEnv.
const (
	EnvHosts       = "CASSANDRA_HOSTS"       // comma-separated host[:port], required
	EnvKeyspace    = "CASSANDRA_KEYSPACE"    // default: the service's own keyspace
	EnvConsistency = "CASSANDRA_CONSISTENCY" // e.g. LOCAL_QUORUM, ONE, QUORUM
	EnvLocalDC     = "CASSANDRA_LOCAL_DC"    // default datacenter1
	EnvTimeout     = "CASSANDRA_TIMEOUT"     // Go duration per request, e.g. 5s
	EnvNumConns    = "CASSANDRA_NUM_CONNS"   // connections per host
)

// Defaults for fields left zero.
const (
	DefaultPort           = 9042
	DefaultLocalDC        = "datacenter1"
	DefaultTimeout        = 5 * time.Second
	DefaultConnectTimeout = 5 * time.Second
	DefaultNumConns       = 2
)

// FromEnv builds a Config from the CASSANDRA_* variables. defaultKeyspace is
// used when CASSANDRA_KEYSPACE is unset (each service owns one keyspace).
// Every problem found is reported, not just the first.
func FromEnv(defaultKeyspace string) (Config, error) {
	return fromLookup(os.LookupEnv, defaultKeyspace)
}

func fromLookup(lookup func(string) (string, bool), defaultKeyspace string) (Config, error) {
	get := func(k string) string { v, _ := lookup(k); return strings.TrimSpace(v) }
	var errs []error
	cfg := Config{Keyspace: defaultKeyspace}
	if v := get(EnvHosts); v != "" {
		for _, h := range strings.Split(v, ",") {
			if h = strings.TrimSpace(h); h != "" {
				cfg.Hosts = append(cfg.Hosts, h)
			}
		}
	}
	if v := get(EnvKeyspace); v != "" {
		cfg.Keyspace = v
	}
	if v := get(EnvConsistency); v != "" {
		c, err := ParseConsistency(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", EnvConsistency, err))
		}
		cfg.Consistency = c
	}
	cfg.LocalDC = get(EnvLocalDC)
	if v := get(EnvTimeout); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("%s=%q: want a positive duration like 5s", EnvTimeout, v))
		}
		cfg.Timeout = d
	}
	if v := get(EnvNumConns); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			errs = append(errs, fmt.Errorf("%s=%q: want a positive integer", EnvNumConns, v))
		}
		cfg.NumConns = n
	}
	errs = append(errs, readSecurity(get, &cfg.Security)...)
	if len(errs) > 0 {
		return cfg, errors.Join(errs...)
	}
	if err := cfg.Validate(); err != nil {
		return cfg, err
	}
	// Read the PEM files now: a wrong path fails at start, not at first use.
	_, err := cfg.sslOptions()
	return cfg, err
}

// ParseConsistency accepts the CQL names (LOCAL_QUORUM, one, ...).
func ParseConsistency(s string) (c gocql.Consistency, err error) {
	// gocql's ParseConsistency panics on unknown names.
	defer func() {
		if recover() != nil {
			err = fmt.Errorf("unknown consistency %q (want e.g. LOCAL_QUORUM, QUORUM, ONE, LOCAL_ONE, ALL)", s)
		}
	}()
	return gocql.ParseConsistency(strings.ToUpper(strings.TrimSpace(s))), nil
}

var keyspaceRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,47}$`)

// ValidKeyspace reports whether name is a plain (unquoted) CQL keyspace name.
// Keyspace names cannot be bound as parameters, so anything spliced into a
// statement must pass this first.
func ValidKeyspace(name string) error {
	if !keyspaceRE.MatchString(name) {
		return fmt.Errorf("invalid keyspace name %q: want a letter then up to 47 letters, digits or _", name)
	}
	return nil
}

// Validate fills defaults and checks the config.
func (c *Config) Validate() error {
	var errs []error
	if len(c.Hosts) == 0 {
		errs = append(errs, fmt.Errorf("no Cassandra hosts: set %s (e.g. 127.0.0.1:9042)", EnvHosts))
	}
	for _, h := range c.Hosts {
		if _, _, err := splitHostPort(h); err != nil {
			errs = append(errs, err)
		}
	}
	if c.Keyspace != "" {
		if err := ValidKeyspace(c.Keyspace); err != nil {
			errs = append(errs, err)
		}
	}
	if c.Consistency == 0 { // gocql.Any is 0 and is useless for reads
		c.Consistency = gocql.LocalQuorum
	}
	if c.LocalDC == "" {
		c.LocalDC = DefaultLocalDC
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.ConnectTimeout == 0 {
		c.ConnectTimeout = DefaultConnectTimeout
	}
	if c.NumConns == 0 {
		c.NumConns = DefaultNumConns
	}
	if c.Timeout < 0 || c.ConnectTimeout < 0 || c.NumConns < 0 {
		errs = append(errs, errors.New("timeouts and NumConns must not be negative"))
	}
	errs = append(errs, c.Security.validate()...)
	return errors.Join(errs...)
}

// splitHostPort accepts "host", "host:port" and "[v6]:port".
func splitHostPort(h string) (string, int, error) {
	host, portStr, err := net.SplitHostPort(h)
	if err != nil {
		// No port given (or a bare IPv6 address).
		if strings.Count(h, ":") > 1 || !strings.Contains(h, ":") {
			return strings.Trim(h, "[]"), DefaultPort, nil
		}
		return "", 0, fmt.Errorf("bad Cassandra host %q: %w", h, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port <= 0 || port > 65535 || host == "" {
		return "", 0, fmt.Errorf("bad Cassandra host %q: want host or host:port", h)
	}
	return host, port, nil
}
