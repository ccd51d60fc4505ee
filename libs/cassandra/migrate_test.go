package cassandra

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoadMigrationsOrdersByVersion(t *testing.T) {
	ms, err := LoadMigrations(fstest.MapFS{
		"schema/0010_later.cql": {Data: []byte("B;")},
		"schema/0002_next.cql":  {Data: []byte("A;")},
		"schema/README.md":      {Data: []byte("ignored")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].Version != 2 || ms[1].Version != 10 || ms[0].Name != "0002_next.cql" {
		t.Fatalf("got %+v", ms)
	}
	if len(ms[0].Checksum) != 64 || ms[0].Checksum == ms[1].Checksum {
		t.Errorf("checksums %q %q", ms[0].Checksum, ms[1].Checksum)
	}
}

func TestLoadMigrationsErrors(t *testing.T) {
	for name, fsys := range map[string]fstest.MapFS{
		"empty":     {},
		"bad name":  {"init.cql": {Data: []byte("A;")}},
		"duplicate": {"1_a.cql": {Data: []byte("A;")}, "0001_b.cql": {Data: []byte("B;")}},
	} {
		if _, err := LoadMigrations(fsys); err == nil {
			t.Errorf("%s: no error", name)
		} else if !strings.Contains(err.Error(), "migration") {
			t.Errorf("%s: unclear error %v", name, err)
		}
	}
}
