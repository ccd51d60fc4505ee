package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gocql/gocql"

	"github.com/find-peers/find-peers/libs/api"
	"github.com/find-peers/find-peers/libs/cassandra"
	"github.com/find-peers/find-peers/libs/cassandra/cassandratest"
)

func newTestStore(t *testing.T) (*cassandraStore, *gocql.Session, string) {
	t.Helper()
	s, ks := cassandratest.Keyspace(t, schemaFS)
	return newCassandraStore(s), s, ks
}

func countRows(t *testing.T, s *gocql.Session, ks string) int {
	t.Helper()
	var n int
	if err := s.Query("SELECT count(*) FROM " + ks + ".users_by_beacon").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRecordAndReadBack(t *testing.T) {
	st, _, _ := newTestStore(t)
	ctx := cassandratest.Context(t, 60*time.Second)
	beacon := gocql.TimeUUID()
	at := time.Date(2024, 5, 1, 12, 15, 30, 123_000_000, time.UTC)
	in := api.Sighting{BeaconID: beacon, TimeLogged: at, UserID: gocql.TimeUUID(), Name: "Ada"}
	if err := st.RecordSightings(ctx, []api.Sighting{in}); err != nil {
		t.Fatal(err)
	}
	got, err := st.SightingsInHour(ctx, beacon, api.HourBucket(at))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != in {
		t.Fatalf("got %+v, want %+v", got, in)
	}
	empty, err := st.SightingsInHour(ctx, gocql.TimeUUID(), api.HourBucket(at))
	if err != nil || empty == nil || len(empty) != 0 {
		t.Errorf("unknown beacon: %#v, %v; want empty non-nil", empty, err)
	}
}

func TestHourBucketBoundaries(t *testing.T) {
	st, _, _ := newTestStore(t)
	ctx := cassandratest.Context(t, 60*time.Second)
	beacon := gocql.TimeUUID()
	late := time.Date(2024, 5, 1, 10, 59, 59, 0, time.UTC)
	early := time.Date(2024, 5, 1, 11, 0, 0, 0, time.UTC)
	err := st.RecordSightings(ctx, []api.Sighting{
		{BeaconID: beacon, TimeLogged: late, UserID: gocql.TimeUUID(), Name: "late"},
		{BeaconID: beacon, TimeLogged: early, UserID: gocql.TimeUUID(), Name: "early"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for hour, want := range map[time.Time]string{api.HourBucket(late): "late", api.HourBucket(early): "early"} {
		got, err := st.SightingsInHour(ctx, beacon, hour)
		if err != nil || len(got) != 1 || got[0].Name != want {
			t.Errorf("hour %s: %+v, %v; want only %q", hour.Format(time.RFC3339), got, err, want)
		}
	}
	// A time zone other than UTC must land in the same UTC hour.
	plus2 := time.FixedZone("+02", 2*3600)
	if err := st.RecordSightings(ctx, []api.Sighting{{BeaconID: beacon, TimeLogged: early.Add(time.Minute).In(plus2), UserID: gocql.TimeUUID(), Name: "zoned"}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.SightingsInHour(ctx, beacon, api.HourBucket(early)); len(got) != 2 {
		t.Errorf("zoned sighting not in its UTC hour: %+v", got)
	}
	if _, err := st.SightingsInHour(ctx, beacon, early.Add(time.Minute)); err == nil {
		t.Error("SightingsInHour accepted a time that is not an hour start")
	}
}

func TestNewestFirst(t *testing.T) {
	st, _, _ := newTestStore(t)
	ctx := cassandratest.Context(t, 60*time.Second)
	beacon := gocql.TimeUUID()
	hour := time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC)
	var in []api.Sighting
	for _, min := range []int{5, 45, 0, 30, 59} { // deliberately unordered
		in = append(in, api.Sighting{BeaconID: beacon, TimeLogged: hour.Add(time.Duration(min) * time.Minute), UserID: gocql.TimeUUID(), Name: fmt.Sprint(min)})
	}
	if err := st.RecordSightings(ctx, in); err != nil {
		t.Fatal(err)
	}
	got, err := st.SightingsInHour(ctx, beacon, hour)
	if err != nil || len(got) != 5 {
		t.Fatalf("got %d rows, %v", len(got), err)
	}
	for i := 1; i < len(got); i++ {
		if !got[i-1].TimeLogged.After(got[i].TimeLogged) {
			t.Errorf("not newest first at %d: %v then %v", i, got[i-1].TimeLogged, got[i].TimeLogged)
		}
	}
	if got[0].Name != "59" || got[4].Name != "0" {
		t.Errorf("order %v", got)
	}
}

func TestRecordingTwiceIsOneRow(t *testing.T) {
	st, s, ks := newTestStore(t)
	ctx := cassandratest.Context(t, 60*time.Second)
	sg := api.Sighting{BeaconID: gocql.TimeUUID(), TimeLogged: time.Date(2024, 5, 1, 8, 1, 2, 0, time.UTC), UserID: gocql.TimeUUID(), Name: "Bo"}
	// Twice in one batch, then again in a second call (a client retry).
	for _, batch := range [][]api.Sighting{{sg, sg}, {sg}} {
		if err := st.RecordSightings(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	if n := countRows(t, s, ks); n != 1 {
		t.Errorf("%d rows, want 1", n)
	}
	// Same key, new name in one request: the later entry wins.
	renamed := sg
	renamed.Name = "Bo Renamed"
	if err := st.RecordSightings(ctx, []api.Sighting{sg, renamed}); err != nil {
		t.Fatal(err)
	}
	got, _ := st.SightingsInHour(ctx, sg.BeaconID, api.HourBucket(sg.TimeLogged))
	if len(got) != 1 || got[0].Name != "Bo Renamed" {
		t.Errorf("got %+v, want the later entry", got)
	}
}

func TestLargeBatchIsFullyAcknowledged(t *testing.T) {
	st, s, ks := newTestStore(t)
	ctx := cassandratest.Context(t, 60*time.Second)
	// Many partitions and more rows per partition than one batch holds.
	start := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	var in []api.Sighting
	for b := 0; b < 4; b++ {
		beacon := gocql.TimeUUID()
		for i := 0; i < 3*batchRows; i++ {
			in = append(in, api.Sighting{BeaconID: beacon, TimeLogged: start.Add(time.Duration(i) * 37 * time.Second), UserID: gocql.TimeUUID(), Name: "u"})
		}
	}
	if err := st.RecordSightings(ctx, in); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, s, ks); n != len(in) {
		t.Errorf("%d rows, want %d", n, len(in))
	}
}

func TestRecordRejectsMissingTime(t *testing.T) {
	st, s, ks := newTestStore(t)
	err := st.RecordSightings(cassandratest.Context(t, 60*time.Second), []api.Sighting{
		{BeaconID: gocql.TimeUUID(), TimeLogged: time.Now(), UserID: gocql.TimeUUID(), Name: "ok"},
		{BeaconID: gocql.TimeUUID(), UserID: gocql.TimeUUID(), Name: "no time"},
	})
	if err == nil {
		t.Fatal("no error")
	}
	if n := countRows(t, s, ks); n != 0 {
		t.Errorf("a bad batch wrote %d rows", n)
	}
}

func TestCancelledContextFails(t *testing.T) {
	st, _, _ := newTestStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := st.RecordSightings(ctx, []api.Sighting{{BeaconID: gocql.TimeUUID(), TimeLogged: time.Now(), UserID: gocql.TimeUUID()}})
	if err == nil {
		t.Error("write with a cancelled context succeeded")
	}
}

func TestHostileNameIsData(t *testing.T) {
	st, s, ks := newTestStore(t)
	ctx := cassandratest.Context(t, 60*time.Second)
	hostile := `x'); DROP TABLE users_by_beacon; -- "q" ; \ '' $$`
	sg := api.Sighting{BeaconID: gocql.TimeUUID(), TimeLogged: time.Date(2024, 5, 1, 7, 0, 0, 0, time.UTC), UserID: gocql.TimeUUID(), Name: hostile}
	if err := st.RecordSightings(ctx, []api.Sighting{sg}); err != nil {
		t.Fatal(err)
	}
	got, err := st.SightingsInHour(ctx, sg.BeaconID, api.HourBucket(sg.TimeLogged))
	if err != nil || len(got) != 1 || got[0].Name != hostile {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	if n := countRows(t, s, ks); n != 1 {
		t.Errorf("table after hostile write has %d rows", n)
	}
}

func TestSeedLoadsSevenRowsFromEightEntries(t *testing.T) {
	st, s, ks := newTestStore(t)
	ctx := cassandratest.Context(t, 60*time.Second)
	if len(seedSightings) != 8 {
		t.Fatalf("seed has %d entries, docs/ARCHITECTURE.md lists 8", len(seedSightings))
	}
	for i := 0; i < 2; i++ { // seeding twice changes nothing
		if err := seed(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	// The two kitchen entries share beacon, time and user: one row.
	if n := countRows(t, s, ks); n != 7 {
		t.Errorf("%d rows, want 7", n)
	}
	kitchen, err := st.SightingsInHour(ctx, seedUUID("99a627ed-d91b-45de-beef-5e73c4edba87"), api.HourBucket(time.Unix(1473156000, 0)))
	if err != nil || len(kitchen) != 3 {
		t.Fatalf("kitchen: %+v, %v", kitchen, err)
	}
	names := map[string]bool{}
	for _, k := range kitchen {
		names[k.Name] = true
	}
	if !names["Shrihan Sulgham"] || names["Shreya Sulgham"] {
		t.Errorf("the later duplicate should win: %v", names)
	}
	bedroom, _ := st.SightingsInHour(ctx, seedUUID("5bf966d9-8046-4fc1-ae5a-80c923ebea5a"), time.Unix(1473156000, 0).UTC())
	if len(bedroom) != 3 {
		t.Errorf("bed room: %+v", bedroom)
	}
}

func TestMigrationRerunIsNoop(t *testing.T) {
	_, s, ks := newTestStore(t)
	var before, after time.Time
	q := "SELECT applied_at FROM " + ks + ".schema_migrations WHERE version = 1"
	if err := s.Query(q).Scan(&before); err != nil {
		t.Fatal(err)
	}
	if err := cassandra.Migrate(cassandratest.Context(t, 60*time.Second), s, ks, cassandratest.Replication(t), schemaFS); err != nil {
		t.Fatalf("re-run: %v", err)
	}
	if err := s.Query(q).Scan(&after); err != nil || !after.Equal(before) {
		t.Errorf("re-run touched the record: %v -> %v (%v)", before, after, err)
	}
}
