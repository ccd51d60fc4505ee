package main

import (
	"errors"
	"sort"
	"testing"
	"time"

	"github.com/gocql/gocql"

	"github.com/find-peers/find-peers/libs/api"
	"github.com/find-peers/find-peers/libs/cassandra"
	"github.com/find-peers/find-peers/libs/cassandra/cassandratest"
)

// newTestStore returns a store on a fresh, migrated keyspace of a real server.
func newTestStore(t *testing.T) (*cassandraStore, *gocql.Session, string) {
	t.Helper()
	s, ks := cassandratest.Keyspace(t, schemaFS)
	return newCassandraStore(s), s, ks
}

func TestPutBeaconAndReadBack(t *testing.T) {
	st, _, _ := newTestStore(t)
	ctx := cassandratest.Context(t, 30*time.Second)
	loc := gocql.TimeUUID()
	a := api.Beacon{LocationID: loc, BeaconID: gocql.TimeUUID(), BeaconName: "Hall"}
	b := api.Beacon{LocationID: loc, BeaconID: gocql.TimeUUID(), BeaconName: "Porch"}
	for _, x := range []api.Beacon{a, b} {
		if err := st.PutBeacon(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	// Two beacons at one location both stay (the original's table lost one).
	got, err := st.BeaconsAt(ctx, loc)
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(got, func(i, j int) bool { return got[i].BeaconName < got[j].BeaconName })
	if len(got) != 2 || got[0] != a || got[1] != b {
		t.Fatalf("BeaconsAt = %+v", got)
	}
	one, err := st.Beacon(ctx, b.BeaconID)
	if err != nil || one != b {
		t.Fatalf("Beacon = %+v, %v", one, err)
	}
}

func TestUnknownIDsAreNotFoundOrEmpty(t *testing.T) {
	st, _, _ := newTestStore(t)
	ctx := cassandratest.Context(t, 30*time.Second)
	if _, err := st.Beacon(ctx, gocql.TimeUUID()); !errors.Is(err, errNotFound) {
		t.Errorf("Beacon(unknown) err = %v, want errNotFound", err)
	}
	got, err := st.BeaconsAt(ctx, gocql.TimeUUID())
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("BeaconsAt(unknown) = %#v, %v; want empty non-nil slice", got, err)
	}
}

func TestPutBeaconUpsertsAndMoves(t *testing.T) {
	st, _, _ := newTestStore(t)
	ctx := cassandratest.Context(t, 30*time.Second)
	from, to := gocql.TimeUUID(), gocql.TimeUUID()
	b := api.Beacon{LocationID: from, BeaconID: gocql.TimeUUID(), BeaconName: "Old"}
	if err := st.PutBeacon(ctx, b); err != nil {
		t.Fatal(err)
	}
	// The same beacon registered twice is one beacon with the newer name.
	b.BeaconName = "Renamed"
	if err := st.PutBeacon(ctx, b); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.BeaconsAt(ctx, from); len(got) != 1 || got[0].BeaconName != "Renamed" {
		t.Fatalf("after rename: %+v", got)
	}
	// Moving it removes it from the old location.
	b.LocationID = to
	if err := st.PutBeacon(ctx, b); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.BeaconsAt(ctx, from); len(got) != 0 {
		t.Errorf("old location still lists it: %+v", got)
	}
	if got, _ := st.BeaconsAt(ctx, to); len(got) != 1 || got[0] != b {
		t.Errorf("new location: %+v", got)
	}
	if got, _ := st.Beacon(ctx, b.BeaconID); got != b {
		t.Errorf("by id: %+v", got)
	}
}

func TestHostileNameIsData(t *testing.T) {
	st, s, ks := newTestStore(t)
	ctx := cassandratest.Context(t, 30*time.Second)
	hostile := `Robert'); DROP TABLE beacons_by_id; -- "quoted" ; \ ' '' $$`
	b := api.Beacon{LocationID: gocql.TimeUUID(), BeaconID: gocql.TimeUUID(), BeaconName: hostile}
	if err := st.PutBeacon(ctx, b); err != nil {
		t.Fatal(err)
	}
	got, err := st.Beacon(ctx, b.BeaconID)
	if err != nil || got.BeaconName != hostile {
		t.Fatalf("round trip: %q, %v", got.BeaconName, err)
	}
	var n int
	if err := s.Query("SELECT count(*) FROM " + ks + ".beacons_by_id").Scan(&n); err != nil || n != 1 {
		t.Errorf("table after hostile write: count %d, %v", n, err)
	}
}

func TestSeedLoadsFiveBeacons(t *testing.T) {
	st, s, ks := newTestStore(t)
	ctx := cassandratest.Context(t, 30*time.Second)
	for i := 0; i < 2; i++ { // seeding twice changes nothing
		if err := seed(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	for _, table := range []string{"beacons_by_location", "beacons_by_id"} {
		var n int
		if err := s.Query("SELECT count(*) FROM " + ks + "." + table).Scan(&n); err != nil || n != 5 {
			t.Errorf("%s has %d rows (%v), want 5", table, n, err)
		}
	}
	kitchen := seedUUID("68dce417-460a-4509-acdf-c5401afd652f")
	got, err := st.BeaconsAt(ctx, kitchen)
	if err != nil || len(got) != 1 || got[0].BeaconName != "Kitchen Beacon" ||
		got[0].BeaconID != seedUUID("99a627ed-d91b-45de-beef-5e73c4edba87") {
		t.Errorf("kitchen location: %+v, %v", got, err)
	}
}

func TestMigrationRerunIsNoop(t *testing.T) {
	_, s, ks := newTestStore(t)
	ctx := cassandratest.Context(t, 30*time.Second)
	repl := cassandratest.Replication(t)
	var before time.Time
	if err := s.Query("SELECT applied_at FROM " + ks + ".schema_migrations WHERE version = 1").Scan(&before); err != nil {
		t.Fatal(err)
	}
	if err := cassandra.Migrate(ctx, s, ks, repl, schemaFS); err != nil {
		t.Fatalf("re-run: %v", err)
	}
	var after time.Time
	if err := s.Query("SELECT applied_at FROM " + ks + ".schema_migrations WHERE version = 1").Scan(&after); err != nil || !after.Equal(before) {
		t.Errorf("re-run touched the record: %v -> %v (%v)", before, after, err)
	}
}
