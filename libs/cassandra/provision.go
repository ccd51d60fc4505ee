package cassandra

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/gocql/gocql"
)

var roleRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,47}$`)

// ValidRole reports whether name is a plain role name. Like keyspaces,
// roles cannot be bound as parameters; lower case only, because CQL folds
// unquoted names to it.
func ValidRole(name string) error {
	if !roleRE.MatchString(name) {
		return fmt.Errorf("invalid role name %q: want a lower-case letter then up to 47 lower-case letters, digits or _", name)
	}
	return nil
}

// Provision gives a service a role of its own; admin is a superuser's
// session. It creates keyspace with repl unless it exists, creates role
// (or, if it exists, sets its password: how a password is rotated) with
// LOGIN, and grants it ALL PERMISSIONS on that keyspace and nothing else,
// so the service can migrate and use its own tables and cannot see another
// service's. Re-running it is harmless. Errors never contain the password.
func Provision(ctx context.Context, admin *gocql.Session, keyspace string, repl Replication, role string, password Secret) error {
	if err := ValidKeyspace(keyspace); err != nil {
		return err
	}
	if err := ValidRole(role); err != nil {
		return err
	}
	literal, err := passwordLiteral(password)
	if err != nil {
		return fmt.Errorf("role %s: %w", role, err)
	}
	replCQL, err := repl.CQL()
	if err != nil {
		return fmt.Errorf("keyspace %s: %w", keyspace, err)
	}
	if err := ensureKeyspace(ctx, admin, keyspace, replCQL); err != nil {
		return err
	}
	exists, err := roleExists(ctx, admin, role)
	if err != nil {
		return err
	}
	verb := "CREATE"
	if exists {
		verb = "ALTER"
	}
	if err := Write(ctx, admin, true, verb+" ROLE "+role+" WITH PASSWORD = "+literal+" AND LOGIN = true").Exec(); err != nil {
		// Cassandra may quote the statement back: keep the password out.
		return fmt.Errorf("%s ROLE %s: %s", verb, role, strings.ReplaceAll(err.Error(), string(password), redacted))
	}
	grant := fmt.Sprintf("GRANT ALL PERMISSIONS ON KEYSPACE %s TO %s", keyspace, role)
	if err := Write(ctx, admin, true, grant).Exec(); err != nil {
		return fmt.Errorf("%s: %w", grant, err)
	}
	return nil
}

// passwordLiteral quotes a password as a CQL string literal (its quotes
// doubled): role options take no bind markers. Empty passwords and control
// characters are refused.
func passwordLiteral(password Secret) (string, error) {
	if password == "" || strings.ContainsFunc(string(password), func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "", errors.New("the password must be non-empty, without control characters")
	}
	return "'" + strings.ReplaceAll(string(password), "'", "''") + "'", nil
}

func roleExists(ctx context.Context, admin *gocql.Session, role string) (bool, error) {
	var name string
	err := Read(ctx, admin, "SELECT role FROM system_auth.roles WHERE role = ?", role).Scan(&name)
	if errors.Is(err, gocql.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("look up role %s: %w", role, err)
	}
	return true, nil
}
