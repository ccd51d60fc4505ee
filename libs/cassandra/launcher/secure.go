package launcher

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gocql/gocql"
)

// AdminRole is the superuser a secure cluster's bootstrap creates in place
// of Cassandra's well-known cassandra/cassandra.
const AdminRole = "find_peers_admin"

// defaultSuperuser is the role Cassandra creates on the first start with
// PasswordAuthenticator; everyone knows its password, so the bootstrap
// drops it.
const defaultSuperuser = "cassandra"

// Access is how a client logs in to a node: the zero value for a plain
// cluster; a role, its password and the cluster's CA for a secure one.
type Access struct {
	Username string
	Password string
	CAFile   string // PEM CA; non-empty turns TLS (with host verification) on
}

func (a Access) apply(c *gocql.ClusterConfig) error {
	if a.Username != "" {
		c.Authenticator = gocql.PasswordAuthenticator{Username: a.Username, Password: a.Password}
	}
	if a.CAFile == "" {
		return nil
	}
	pem, err := os.ReadFile(a.CAFile)
	if err != nil {
		return err
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		return fmt.Errorf("no certificate in %s", a.CAFile)
	}
	c.SslOpts = &gocql.SslOptions{Config: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		EnableHostVerification: true}
	return nil
}

// AdminPasswordFile holds the password of AdminRole of a secure cluster in
// dir (0600); it exists once the bootstrap is done.
func AdminPasswordFile(dir string) string {
	return filepath.Join(dir, "secrets", AdminRole+".password")
}

// CAFile is the CA certificate of a secure cluster in dir.
func CAFile(dir string) string { return tlsFilesFor(dir).CA }

// AdminAccess returns how to log in to the cluster in dir as it is now: no
// login for a plain cluster, AdminRole once the bootstrap is done, the
// default superuser before.
func AdminAccess(dir string) (Access, error) {
	c, err := ReadState(dir)
	if err != nil {
		return Access{}, err
	}
	return accessFor(dir, c.Secure)
}

func accessFor(dir string, secure bool) (Access, error) {
	if !secure {
		return Access{}, nil
	}
	b, err := os.ReadFile(AdminPasswordFile(dir))
	if errors.Is(err, os.ErrNotExist) {
		return Access{Username: defaultSuperuser, Password: defaultSuperuser, CAFile: CAFile(dir)}, nil
	}
	if err != nil {
		return Access{}, err
	}
	return Access{Username: AdminRole, Password: strings.TrimSpace(string(b)), CAFile: CAFile(dir)}, nil
}

// secureRoles replaces the default superuser of a freshly started secure
// cluster: it replicates system_auth to every node (a 3-node cluster must
// not lose its logins with one node), creates AdminRole with a random
// password, written to AdminPasswordFile, and, logged in as AdminRole,
// drops the default superuser. A cluster already bootstrapped is left as is.
func secureRoles(ctx context.Context, dir string, c Cluster, log io.Writer) error {
	if _, err := os.Stat(AdminPasswordFile(dir)); err == nil {
		return nil
	}
	addr := c.Nodes[0].Addr()
	def := Access{Username: defaultSuperuser, Password: defaultSuperuser, CAFile: CAFile(dir)}
	stmts := []string{}
	if n := len(c.Nodes); n > 1 {
		stmts = append(stmts, fmt.Sprintf(
			"ALTER KEYSPACE system_auth WITH replication = {'class': 'SimpleStrategy', 'replication_factor': %d}", n))
	}
	// The password is kept before the role exists, so a failure later
	// leaves no role whose password is lost, and a retry reuses it.
	pending := AdminPasswordFile(dir) + ".new"
	pw, err := pendingPassword(pending)
	if err != nil {
		return fmt.Errorf("admin password: %w", err)
	}
	// The password is hex, so it needs no quoting; role options take no
	// bind markers.
	stmts = append(stmts,
		fmt.Sprintf("CREATE ROLE IF NOT EXISTS %s WITH PASSWORD = '%s' AND SUPERUSER = true AND LOGIN = true", AdminRole, pw))
	if err := execAs(ctx, addr, def, stmts...); err != nil {
		return fmt.Errorf("create the admin role: %w", err)
	}
	admin := Access{Username: AdminRole, Password: pw, CAFile: def.CAFile}
	if err := execAs(ctx, addr, admin, "DROP ROLE IF EXISTS "+defaultSuperuser); err != nil {
		return fmt.Errorf("drop the default superuser: %w", err)
	}
	if err := os.Rename(pending, AdminPasswordFile(dir)); err != nil {
		return fmt.Errorf("write the admin password: %w", err)
	}
	fmt.Fprintf(log, "cassandra: role %s created, default superuser dropped\n", AdminRole)
	return nil
}

// execAs runs statements on one node, logged in with a, retrying each for a
// while: right after start the auth tables may still be settling.
func execAs(ctx context.Context, addr string, a Access, stmts ...string) error {
	s, err := openNode(addr, 10*time.Second, a)
	if err != nil {
		return err
	}
	defer s.Close()
	for _, stmt := range stmts {
		for attempt := 1; ; attempt++ {
			err := s.Query(stmt).Consistency(gocql.Quorum).WithContext(ctx).Exec()
			if err == nil {
				break
			}
			if attempt == 5 || ctx.Err() != nil {
				// Statements hold a password: name the verb only.
				verb, _, _ := strings.Cut(stmt, " WITH")
				return fmt.Errorf("%s: %w", verb, err)
			}
			time.Sleep(time.Second)
		}
	}
	return nil
}

// pendingPassword returns the password in path, or a new one it writes
// there (0600).
func pendingPassword(path string) (string, error) {
	if b, err := os.ReadFile(path); err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	pw, err := randomPassword()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", err
	}
	return pw, writeSecretFile(path, []byte(pw+"\n"))
}

func randomPassword() (string, error) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}
