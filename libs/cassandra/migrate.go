package cassandra

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gocql/gocql"
)

// KeyspacePlaceholder is replaced by the target keyspace in migration files.
// Statements name their tables as ${keyspace}.table: the keyspace differs per
// environment (and per test), and a pooled gocql session cannot switch
// keyspaces with USE.
const KeyspacePlaceholder = "${keyspace}"

// MigrationsTable records applied migrations in the migrated keyspace.
const MigrationsTable = "schema_migrations"

// Migration is one numbered CQL file.
type Migration struct {
	Version  int
	Name     string // file name, e.g. 0001_init.cql
	Checksum string // sha256 of the file's bytes
	Script   string
}

var migrationName = regexp.MustCompile(`^(\d+)_[A-Za-z0-9_]+\.cql$`)

// LoadMigrations reads every *.cql file at any depth of fsys (so an embed.FS
// of schema/*.cql works as is), ordered by version. File names must look like
// 0001_what.cql; versions must be unique.
func LoadMigrations(fsys fs.FS) ([]Migration, error) {
	var ms []Migration
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".cql" {
			return err
		}
		m := migrationName.FindStringSubmatch(d.Name())
		if m == nil {
			return fmt.Errorf("migration file %s: name must look like 0001_description.cql", p)
		}
		v, _ := strconv.Atoi(m[1])
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ms = append(ms, Migration{Version: v, Name: d.Name(), Checksum: hex.EncodeToString(sum[:]), Script: string(b)})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i := 1; i < len(ms); i++ {
		if ms[i].Version == ms[i-1].Version {
			return nil, fmt.Errorf("load migrations: %s and %s have the same version %d", ms[i-1].Name, ms[i].Name, ms[i].Version)
		}
	}
	if len(ms) == 0 {
		return nil, errors.New("load migrations: no *.cql files found")
	}
	return ms, nil
}

// ErrChecksum reports an applied migration whose file changed since.
var ErrChecksum = errors.New("applied migration changed")

// Migrate creates keyspace (if missing) with repl, then applies, in version
// order, each migration not yet recorded in keyspace.schema_migrations,
// waiting for schema agreement after every schema change. Re-running it is a
// no-op. A recorded migration whose file changed fails with ErrChecksum, and
// nothing further is applied: schema history is append-only, so write a new
// file instead. The replication of an existing keyspace is left unchanged.
//
// Statements should use IF NOT EXISTS so that a run interrupted between a
// statement and its record can simply be repeated.
func Migrate(ctx context.Context, s *gocql.Session, keyspace string, repl Replication, migrations fs.FS) error {
	if err := ValidKeyspace(keyspace); err != nil {
		return err
	}
	replCQL, err := repl.CQL()
	if err != nil {
		return fmt.Errorf("keyspace %s: %w", keyspace, err)
	}
	ms, err := LoadMigrations(migrations)
	if err != nil {
		return err
	}
	if err := ensureKeyspace(ctx, s, keyspace, replCQL); err != nil {
		return err
	}
	table := fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s.%s (
			version int PRIMARY KEY, name text, checksum text, applied_at timestamp)`, keyspace, MigrationsTable)
	if err := execDDL(ctx, s, table); err != nil {
		return fmt.Errorf("prepare keyspace %s: %w", keyspace, err)
	}
	applied, err := appliedMigrations(ctx, s, keyspace)
	if err != nil {
		return err
	}
	for i, m := range ms {
		if sum, ok := applied[m.Version]; ok {
			if sum != m.Checksum {
				return fmt.Errorf("%w: %s in keyspace %s was applied with sha256 %s, the file now has %s",
					ErrChecksum, m.Name, keyspace, sum, m.Checksum)
			}
			continue
		}
		if i+1 < len(ms) {
			for _, later := range ms[i+1:] {
				if _, ok := applied[later.Version]; ok {
					return fmt.Errorf("migration %s is not applied but the later %s is: renumber it", m.Name, later.Name)
				}
			}
		}
		if err := apply(ctx, s, keyspace, m); err != nil {
			return err
		}
	}
	return nil
}

// ErrNoKeyspace reports a keyspace that is missing and that the login may
// not create: a service role holds permissions on its own keyspace only, so
// its keyspace is made beforehand (Provision).
var ErrNoKeyspace = errors.New("keyspace does not exist and this login may not create it")

// ensureKeyspace creates keyspace unless it exists. CREATE KEYSPACE needs
// CREATE ON ALL KEYSPACES even with IF NOT EXISTS, which a service role
// lacks, so an existing keyspace is found first in system_schema (readable
// by every role).
func ensureKeyspace(ctx context.Context, s *gocql.Session, keyspace, replCQL string) error {
	var name string
	err := Read(ctx, s, "SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = ?", keyspace).Scan(&name)
	if err == nil {
		return nil
	}
	if !errors.Is(err, gocql.ErrNotFound) {
		return fmt.Errorf("look up keyspace %s: %w", keyspace, err)
	}
	err = execDDL(ctx, s, fmt.Sprintf("CREATE KEYSPACE IF NOT EXISTS %s WITH replication = %s", keyspace, replCQL))
	var re gocql.RequestError
	if errors.As(err, &re) && re.Code() == gocql.ErrCodeUnauthorized {
		return fmt.Errorf("keyspace %s: %w (an admin makes it and grants the role: go run ./tools/cassandra provision): %v",
			keyspace, ErrNoKeyspace, err)
	}
	if err != nil {
		return fmt.Errorf("prepare keyspace %s: %w", keyspace, err)
	}
	return nil
}

func appliedMigrations(ctx context.Context, s *gocql.Session, keyspace string) (map[int]string, error) {
	iter := Read(ctx, s, fmt.Sprintf("SELECT version, checksum FROM %s.%s", keyspace, MigrationsTable)).Iter()
	applied := map[int]string{}
	var (
		v   int
		sum string
	)
	for iter.Scan(&v, &sum) {
		applied[v] = sum
	}
	if err := iter.Close(); err != nil {
		return nil, fmt.Errorf("read %s.%s: %w", keyspace, MigrationsTable, err)
	}
	return applied, nil
}

func apply(ctx context.Context, s *gocql.Session, keyspace string, m Migration) error {
	stmts, err := SplitStatements(strings.ReplaceAll(m.Script, KeyspacePlaceholder, keyspace))
	if err != nil {
		return fmt.Errorf("migration %s: %w", m.Name, err)
	}
	for n, stmt := range stmts {
		if err := execDDL(ctx, s, stmt); err != nil {
			return fmt.Errorf("migration %s statement %d: %w", m.Name, n+1, err)
		}
	}
	err = Write(ctx, s, true,
		fmt.Sprintf("INSERT INTO %s.%s (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)", keyspace, MigrationsTable),
		m.Version, m.Name, m.Checksum, time.Now().UTC()).Exec()
	if err != nil {
		return fmt.Errorf("record migration %s: %w", m.Name, err)
	}
	return nil
}

// execDDL runs one schema statement and waits until every node has the same
// schema version, so the next statement (or the caller's first query) sees it.
func execDDL(ctx context.Context, s *gocql.Session, stmt string) error {
	if err := Write(ctx, s, false, stmt).Exec(); err != nil {
		return fmt.Errorf("%s: %w", firstLine(stmt), err)
	}
	if err := s.AwaitSchemaAgreement(ctx); err != nil {
		return fmt.Errorf("schema agreement after %s: %w", firstLine(stmt), err)
	}
	return nil
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(line)
}
