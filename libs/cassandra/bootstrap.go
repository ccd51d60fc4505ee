package cassandra

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gocql/gocql"
)

// DefaultSuperuser is the role Cassandra creates, with the password
// "cassandra", on the first start with PasswordAuthenticator. Everyone
// knows that password: ReplaceSuperuser drops it.
const DefaultSuperuser = "cassandra"

// ReplaceSuperuser makes a secure cluster's logins safe and returns a
// session of the admin role. cfg says how to reach the cluster, logged in
// as the admin role (cfg.Username, cfg.Password). It is idempotent:
//
//   - while the admin cannot log in, it logs in as the default superuser,
//     replicates system_auth with authRepl (a 3-node cluster must not lose
//     its logins with one node) and creates the admin role (superuser);
//   - logged in as the admin, it sets system_auth's replication again (a
//     no-op when unchanged) and drops the default superuser.
//
// Right after a node starts, the default superuser does not exist yet (it
// is created ~10 s later), so both logins are retried until ctx ends.
// Progress goes to log; errors never contain a password.
func ReplaceSuperuser(ctx context.Context, cfg Config, authRepl Replication, log io.Writer) (*gocql.Session, error) {
	literal, err := passwordLiteral(cfg.Password)
	if err != nil {
		return nil, fmt.Errorf("admin role: %w", err)
	}
	if err := ValidRole(cfg.Username); err != nil {
		return nil, err
	}
	replCQL, err := authRepl.CQL()
	if err != nil {
		return nil, fmt.Errorf("system_auth: %w", err)
	}
	alterAuth := "ALTER KEYSPACE system_auth WITH replication = " + replCQL
	def := cfg
	def.Username, def.Password = DefaultSuperuser, DefaultSuperuser
	for {
		admin, adminErr := Connect(ctx, cfg)
		if adminErr == nil {
			if err := execAll(ctx, admin, alterAuth, "DROP ROLE IF EXISTS "+DefaultSuperuser); err != nil {
				admin.Close()
				return nil, err
			}
			fmt.Fprintf(log, "cassandra: logged in as %s; default superuser %s gone; system_auth %s\n",
				cfg.Username, DefaultSuperuser, replCQL)
			return admin, nil
		}
		s, defErr := Connect(ctx, def)
		if defErr == nil {
			err := execAll(ctx, s, alterAuth,
				"CREATE ROLE IF NOT EXISTS "+cfg.Username+" WITH PASSWORD = "+literal+" AND SUPERUSER = true AND LOGIN = true")
			s.Close()
			if err != nil {
				return nil, redact(err, cfg.Password)
			}
			fmt.Fprintf(log, "cassandra: role %s created by the default superuser\n", cfg.Username)
			continue
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("neither %s nor the default superuser can log in (a data volume from other secrets?): %v; %v",
				cfg.Username, redact(adminErr, cfg.Password), defErr)
		case <-time.After(2 * time.Second):
		}
	}
}

// execAll runs each statement at QUORUM, retrying a few times: right after
// a start the auth tables may still be settling. Errors name the verb only.
func execAll(ctx context.Context, s *gocql.Session, stmts ...string) error {
	for _, stmt := range stmts {
		var err error
		for attempt := 0; attempt < 5; attempt++ {
			if err = s.Query(stmt).Consistency(gocql.Quorum).WithContext(ctx).Exec(); err == nil {
				break
			}
			time.Sleep(time.Second)
		}
		if err != nil {
			verb, _, _ := strings.Cut(stmt, " WITH PASSWORD")
			return fmt.Errorf("%s: %w", verb, err)
		}
	}
	return nil
}

// redact keeps a password out of an error's text.
func redact(err error, password Secret) error {
	if err == nil || password == "" {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), string(password), redacted))
}
