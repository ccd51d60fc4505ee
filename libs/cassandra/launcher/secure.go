package launcher

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gocql/gocql"

	"github.com/find-peers/find-peers/libs/cassandra"
)

// AdminRole is the superuser a secure cluster's bootstrap creates in place
// of Cassandra's well-known cassandra/cassandra.
const AdminRole = "find_peers_admin"

// defaultSuperuser is the role Cassandra creates on the first start with
// PasswordAuthenticator; everyone knows its password, so the bootstrap
// drops it.
const defaultSuperuser = cassandra.DefaultSuperuser

// Access is how a client logs in to a node: the zero value for a plain
// cluster; a role, its password and the cluster's CA for a secure one.
type Access struct {
	Username string
	Password string
	CAFile   string // PEM CA; non-empty turns TLS (with host verification) on
}

// apply sets a's login and TLS (host verification on) on c, the way every
// client of the project does (cassandra.Security).
func (a Access) apply(c *gocql.ClusterConfig) error {
	return cassandra.Security{Username: a.Username, Password: cassandra.Secret(a.Password), TLSCA: a.CAFile}.Apply(c)
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
// cluster with AdminRole (cassandra.ReplaceSuperuser, which the compose
// stack's bootstrap job runs too): system_auth replicated to every node (a
// 3-node cluster must not lose its logins with one node), the admin's
// random password written to AdminPasswordFile. A cluster already
// bootstrapped is left as is.
func secureRoles(ctx context.Context, dir string, c Cluster, log io.Writer) error {
	if _, err := os.Stat(AdminPasswordFile(dir)); err == nil {
		return nil
	}
	// The password is kept before the role exists, so a failure later
	// leaves no role whose password is lost, and a retry reuses it.
	pending := AdminPasswordFile(dir) + ".new"
	pw, err := ReadOrMakePassword(pending)
	if err != nil {
		return fmt.Errorf("admin password: %w", err)
	}
	cfg := cassandra.Config{Hosts: []string{c.Nodes[0].Addr()}, Timeout: 15 * time.Second, NumConns: 1,
		Security: cassandra.Security{Username: AdminRole, Password: pw, TLSCA: CAFile(dir)}}
	rctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	s, err := cassandra.ReplaceSuperuser(rctx, cfg, cassandra.Replication{Class: "SimpleStrategy", Factor: len(c.Nodes)}, log)
	if err != nil {
		return err
	}
	s.Close()
	if err := os.Rename(pending, AdminPasswordFile(dir)); err != nil {
		return fmt.Errorf("write the admin password: %w", err)
	}
	return nil
}

// ReadOrMakePassword returns the password in path (as
// cassandra.ReadPasswordFile reads it) or, when there is no such file, a
// random one it writes there: 0600, in a directory made 0700 if missing.
// The launcher's admin, `tools/cassandra provision` and the compose secrets
// all keep their passwords this way.
func ReadOrMakePassword(path string) (cassandra.Secret, error) {
	pw, err := cassandra.ReadPasswordFile(path)
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		return pw, err
	}
	made, err := randomPassword()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", err
	}
	return cassandra.Secret(made), writeSecretFile(path, []byte(made+"\n"))
}

func randomPassword() (string, error) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}
