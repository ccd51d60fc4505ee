package cassandra

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"

	"github.com/gocql/gocql"
)

// Environment variables of authentication and TLS, read by FromEnv.
const (
	EnvUsername     = "CASSANDRA_USERNAME"      // role to log in as (PasswordAuthenticator)
	EnvPassword     = "CASSANDRA_PASSWORD"      // its password; or:
	EnvPasswordFile = "CASSANDRA_PASSWORD_FILE" // a file holding it (a mounted secret)
	EnvTLSCA        = "CASSANDRA_TLS_CA"        // PEM CA bundle; setting it turns TLS on
	EnvTLSCert      = "CASSANDRA_TLS_CERT"      // PEM client certificate (with EnvTLSKey)
	EnvTLSKey       = "CASSANDRA_TLS_KEY"       // PEM private key of EnvTLSCert
	EnvTLSServer    = "CASSANDRA_TLS_SERVER_NAME"
	EnvTLSInsecure  = "CASSANDRA_TLS_INSECURE_SKIP_VERIFY" // "true" disables host verification
)

// Secret is a value that must never be printed: every formatting and
// logging path shows "[redacted]" (or nothing when it is empty).
type Secret string

const redacted = "[redacted]"

func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString covers %#v, which bypasses String.
func (s Secret) GoString() string { return strconv.Quote(s.String()) }

// LogValue keeps the secret out of slog output.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText keeps the secret out of JSON and other encodings.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Security is how a client proves who it is and checks whom it talks to.
// The zero value is a plain-text, unauthenticated connection (a dev node).
type Security struct {
	Username string
	Password Secret
	// TLSCA is the PEM file of the CAs that sign the nodes' certificates;
	// non-empty turns TLS on, with host verification unless
	// TLSInsecureSkipVerify.
	TLSCA string
	// TLSCert and TLSKey are the PEM files of a client certificate, for
	// nodes that require one; both or neither.
	TLSCert, TLSKey string
	// TLSServerName overrides the name checked against the node's
	// certificate (default: the contact point's host).
	TLSServerName         string
	TLSInsecureSkipVerify bool
}

// TLS reports whether connections use TLS.
func (s Security) TLS() bool { return s.TLSCA != "" }

// readSecurity fills the Security settings from the environment. A password
// file's content loses one trailing newline (what `echo` and editors add).
func readSecurity(get func(string) string, sec *Security) []error {
	var errs []error
	sec.Username = get(EnvUsername)
	pw, pwFile := get(EnvPassword), get(EnvPasswordFile)
	switch {
	case pw != "" && pwFile != "":
		errs = append(errs, fmt.Errorf("set only one of %s and %s", EnvPassword, EnvPasswordFile))
	case pwFile != "":
		p, err := ReadPasswordFile(pwFile)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", EnvPasswordFile, err))
		}
		pw = string(p)
	}
	sec.Password = Secret(pw)
	sec.TLSCA, sec.TLSCert, sec.TLSKey = get(EnvTLSCA), get(EnvTLSCert), get(EnvTLSKey)
	sec.TLSServerName = get(EnvTLSServer)
	if v := get(EnvTLSInsecure); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: want true or false", EnvTLSInsecure, v))
		}
		sec.TLSInsecureSkipVerify = b
	}
	return errs
}

// ReadPasswordFile reads a password from a file (a mounted secret), less
// one trailing newline (what `echo` and editors add). An empty one is an
// error; errors name the file, never its content.
func ReadPasswordFile(path string) (Secret, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	pw := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	if pw == "" {
		return "", fmt.Errorf("%s is empty", path)
	}
	return Secret(pw), nil
}

// validate checks that the settings go together (no file is read).
func (s Security) validate() []error {
	var errs []error
	if s.Username == "" && s.Password != "" {
		errs = append(errs, fmt.Errorf("a Cassandra password is set but no %s", EnvUsername))
	}
	if s.Username != "" && s.Password == "" {
		errs = append(errs, fmt.Errorf("%s is set but neither %s nor %s", EnvUsername, EnvPassword, EnvPasswordFile))
	}
	if (s.TLSCert == "") != (s.TLSKey == "") {
		errs = append(errs, fmt.Errorf("set both %s and %s, or neither", EnvTLSCert, EnvTLSKey))
	}
	if !s.TLS() && (s.TLSCert != "" || s.TLSKey != "" || s.TLSServerName != "" || s.TLSInsecureSkipVerify) {
		errs = append(errs, fmt.Errorf("TLS settings without %s: set it to the CA file to turn TLS on", EnvTLSCA))
	}
	return errs
}

// SecurityFromEnv reads only the login and TLS settings (CASSANDRA_USERNAME,
// CASSANDRA_PASSWORD[_FILE], CASSANDRA_TLS_*), for a tool that picks its
// own hosts (the Cassandra image's cqlsh).
func SecurityFromEnv() (Security, error) {
	var sec Security
	get := func(k string) string { return strings.TrimSpace(os.Getenv(k)) }
	errs := readSecurity(get, &sec)
	errs = append(errs, sec.validate()...)
	return sec, errors.Join(errs...)
}

// Apply sets the login and TLS options on a gocql cluster config, for
// callers that build their own (Connect uses it too).
func (s Security) Apply(c *gocql.ClusterConfig) error {
	c.Authenticator = s.authenticator()
	ssl, err := s.sslOptions()
	if err != nil {
		return err
	}
	c.SslOpts = ssl
	return nil
}

// authenticator is gocql's PasswordAuthenticator when a username is set.
func (s Security) authenticator() gocql.Authenticator {
	if s.Username == "" {
		return nil
	}
	return gocql.PasswordAuthenticator{Username: s.Username, Password: string(s.Password)}
}

// sslOptions reads the PEM files into gocql's TLS options: host
// verification on (gocql's is off unless asked for) and the CA as the only
// roots. nil when TLS is off. Errors name the setting.
func (s Security) sslOptions() (*gocql.SslOptions, error) {
	if !s.TLS() {
		return nil, nil
	}
	pem, err := os.ReadFile(s.TLSCA)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvTLSCA, err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s: no PEM certificate in %s", EnvTLSCA, s.TLSCA)
	}
	cfg := &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12, ServerName: s.TLSServerName,
		InsecureSkipVerify: s.TLSInsecureSkipVerify}
	if s.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(s.TLSCert, s.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("%s/%s: %w", EnvTLSCert, EnvTLSKey, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return &gocql.SslOptions{Config: cfg, EnableHostVerification: !s.TLSInsecureSkipVerify}, nil
}

// LogValue shows where and how the client connects, never the password.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Any("hosts", c.Hosts), slog.String("keyspace", c.Keyspace),
		slog.String("username", c.Username), slog.Bool("password_set", c.Password != ""),
		slog.Bool("tls", c.TLS()), slog.String("tls_ca", c.TLSCA),
		slog.Bool("tls_verify_host", c.TLS() && !c.TLSInsecureSkipVerify))
}

// String is LogValue's text, so %v and %+v cannot show the password either.
func (c Config) String() string { return c.LogValue().String() }

// errInsecureTLS is what a service logs as a warning at start.
var errInsecureTLS = errors.New("Cassandra TLS host verification is OFF (" + EnvTLSInsecure + "=true): any certificate is accepted")

// Warnings lists settings that weaken security, for the caller to log.
func (c Config) Warnings() []error {
	if c.TLS() && c.TLSInsecureSkipVerify {
		return []error{errInsecureTLS}
	}
	return nil
}
