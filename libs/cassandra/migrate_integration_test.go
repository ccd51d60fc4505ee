package cassandra_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gocql/gocql"

	"github.com/find-peers/find-peers/libs/cassandra"
	"github.com/find-peers/find-peers/libs/cassandra/cassandratest"
)

const v1 = `-- the first version
CREATE TABLE IF NOT EXISTS ${keyspace}.items (id int PRIMARY KEY, label text);
INSERT INTO ${keyspace}.items (id, label) VALUES (1, 'semi;colon');
`

const v2 = `ALTER TABLE ${keyspace}.items ADD note text;`

// adminKeyspace returns a keyspace-less session and a fresh keyspace name
// that is dropped after the test: Migrate itself is under test here.
func adminKeyspace(t *testing.T) (*gocql.Session, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := cassandra.Connect(ctx, cassandratest.Config(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	name := cassandratest.KeyspaceName(t)
	t.Cleanup(func() { cassandratest.Drop(t, name); s.Close() })
	return s, name
}

type applied struct {
	name, checksum string
	at             time.Time
}

func appliedRows(t *testing.T, s *gocql.Session, ks string) map[int]applied {
	t.Helper()
	iter := s.Query("SELECT version, name, checksum, applied_at FROM " + ks + ".schema_migrations").Iter()
	out := map[int]applied{}
	var (
		v int
		a applied
	)
	for iter.Scan(&v, &a.name, &a.checksum, &a.at) {
		out[v] = a
	}
	if err := iter.Close(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestMigrateAppliesInOrderAndRerunIsNoop(t *testing.T) {
	s, ks := adminKeyspace(t)
	ctx := context.Background()
	repl, _ := cassandra.ParseReplication("SimpleStrategy:1")
	files := fstest.MapFS{"schema/0001_init.cql": {Data: []byte(v1)}}

	if err := cassandra.Migrate(ctx, s, ks, repl, files); err != nil {
		t.Fatalf("first run: %v", err)
	}
	first := appliedRows(t, s, ks)
	if len(first) != 1 || first[1].name != "0001_init.cql" || len(first[1].checksum) != 64 {
		t.Fatalf("after first run: %+v", first)
	}
	var label string
	if err := s.Query("SELECT label FROM " + ks + ".items WHERE id = 1").Scan(&label); err != nil || label != "semi;colon" {
		t.Fatalf("seeded row: %q, %v", label, err)
	}

	// Re-running applies nothing: the INSERT would otherwise rewrite the
	// row, and the record's applied_at would move.
	if err := s.Query("UPDATE "+ks+".items SET label = ? WHERE id = 1", "edited").Exec(); err != nil {
		t.Fatal(err)
	}
	if err := cassandra.Migrate(ctx, s, ks, repl, files); err != nil {
		t.Fatalf("re-run: %v", err)
	}
	if again := appliedRows(t, s, ks); !again[1].at.Equal(first[1].at) || len(again) != 1 {
		t.Errorf("re-run changed the record: %+v -> %+v", first, again)
	}
	if err := s.Query("SELECT label FROM " + ks + ".items WHERE id = 1").Scan(&label); err != nil || label != "edited" {
		t.Errorf("re-run re-applied 0001: label %q, %v", label, err)
	}

	// A new file is applied on the next run, and only it.
	files["schema/0002_note.cql"] = &fstest.MapFile{Data: []byte(v2)}
	if err := cassandra.Migrate(ctx, s, ks, repl, files); err != nil {
		t.Fatalf("with 0002: %v", err)
	}
	if got := appliedRows(t, s, ks); len(got) != 2 || got[2].name != "0002_note.cql" {
		t.Errorf("after 0002: %+v", got)
	}
	if err := s.Query("UPDATE " + ks + ".items SET note = 'n' WHERE id = 1").Exec(); err != nil {
		t.Errorf("column from 0002 missing: %v", err)
	}
}

func TestMigrateRejectsChangedFile(t *testing.T) {
	s, ks := adminKeyspace(t)
	ctx := context.Background()
	repl, _ := cassandra.ParseReplication("SimpleStrategy:1")
	if err := cassandra.Migrate(ctx, s, ks, repl, fstest.MapFS{"0001_init.cql": {Data: []byte(v1)}}); err != nil {
		t.Fatal(err)
	}
	changed := fstest.MapFS{
		"0001_init.cql": {Data: []byte(v1 + "-- edited after release\n")},
		"0002_note.cql": {Data: []byte(v2)},
	}
	err := cassandra.Migrate(ctx, s, ks, repl, changed)
	if !errors.Is(err, cassandra.ErrChecksum) || !strings.Contains(err.Error(), "0001_init.cql") {
		t.Fatalf("want ErrChecksum naming the file, got %v", err)
	}
	if got := appliedRows(t, s, ks); len(got) != 1 {
		t.Errorf("0002 was applied after the checksum error: %+v", got)
	}
}

func TestMigrateRejectsGapBeforeApplied(t *testing.T) {
	s, ks := adminKeyspace(t)
	ctx := context.Background()
	repl, _ := cassandra.ParseReplication("SimpleStrategy:1")
	if err := cassandra.Migrate(ctx, s, ks, repl, fstest.MapFS{"0002_init.cql": {Data: []byte(v1)}}); err != nil {
		t.Fatal(err)
	}
	err := cassandra.Migrate(ctx, s, ks, repl, fstest.MapFS{
		"0001_early.cql": {Data: []byte("CREATE TABLE IF NOT EXISTS ${keyspace}.early (id int PRIMARY KEY);")},
		"0002_init.cql":  {Data: []byte(v1)},
	})
	if err == nil || !strings.Contains(err.Error(), "0001_early.cql") {
		t.Fatalf("want an error about the unapplied earlier file, got %v", err)
	}
}

func TestMigrateFailedStatementIsNotRecorded(t *testing.T) {
	s, ks := adminKeyspace(t)
	ctx := context.Background()
	repl, _ := cassandra.ParseReplication("SimpleStrategy:1")
	bad := fstest.MapFS{"0001_bad.cql": {Data: []byte("CREATE TABLE IF NOT EXISTS ${keyspace}.ok (id int PRIMARY KEY);\nCREATE TABLE ${keyspace}.broken (id nosuchtype PRIMARY KEY);")}}
	err := cassandra.Migrate(ctx, s, ks, repl, bad)
	if err == nil || !strings.Contains(err.Error(), "0001_bad.cql statement 2") {
		t.Fatalf("want error naming file and statement, got %v", err)
	}
	if got := appliedRows(t, s, ks); len(got) != 0 {
		t.Errorf("failed migration recorded: %+v", got)
	}
}

func TestMigrateCreatesKeyspaceWithReplication(t *testing.T) {
	s, ks := adminKeyspace(t)
	ctx := context.Background()
	for _, spec := range []string{"NetworkTopologyStrategy:datacenter1=1"} {
		repl, err := cassandra.ParseReplication(spec)
		if err != nil {
			t.Fatal(err)
		}
		if err := cassandra.Migrate(ctx, s, ks, repl, fstest.MapFS{"0001_init.cql": {Data: []byte(v1)}}); err != nil {
			t.Fatal(err)
		}
		var replication map[string]string
		if err := s.Query("SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = ?", ks).Scan(&replication); err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(replication["class"], "NetworkTopologyStrategy") || replication["datacenter1"] != "1" {
			t.Errorf("replication = %v", replication)
		}
	}
}

func TestMigrateRejectsBadKeyspaceName(t *testing.T) {
	s, _ := adminKeyspace(t)
	repl, _ := cassandra.ParseReplication("SimpleStrategy:1")
	err := cassandra.Migrate(context.Background(), s, "x; DROP KEYSPACE system", repl, fstest.MapFS{"0001_init.cql": {Data: []byte(v1)}})
	if err == nil || !strings.Contains(err.Error(), "invalid keyspace") {
		t.Fatalf("got %v", err)
	}
}
