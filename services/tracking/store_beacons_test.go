package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gocql/gocql"

	"github.com/find-peers/find-peers/libs/api"
	"github.com/find-peers/find-peers/libs/cassandra"
	"github.com/find-peers/find-peers/libs/cassandra/cassandratest"
)

// seedBeacons writes perBeacon sightings a minute apart for each of n new
// beacons in hour (and one in the next hour, which must not be read).
func seedBeacons(t testing.TB, ctx context.Context, st *cassandraStore, n, perBeacon int, hour time.Time) []gocql.UUID {
	t.Helper()
	beacons := make([]gocql.UUID, n)
	var rows []api.Sighting
	for i := range beacons {
		beacons[i] = gocql.TimeUUID()
		for j := range perBeacon {
			rows = append(rows, api.Sighting{BeaconID: beacons[i], TimeLogged: hour.Add(time.Duration(j) * time.Minute), UserID: gocql.TimeUUID(), Name: fmt.Sprintf("user %d.%d", i, j)})
		}
		rows = append(rows, api.Sighting{BeaconID: beacons[i], TimeLogged: hour.Add(time.Hour), UserID: gocql.TimeUUID(), Name: "next hour"})
	}
	for start := 0; start < len(rows); start += maxBatch {
		if err := st.RecordSightings(ctx, rows[start:min(start+maxBatch, len(rows))]); err != nil {
			t.Fatal(err)
		}
	}
	return beacons
}

func TestSightingsOfBeaconsReadsEveryPartition(t *testing.T) {
	st, _, _ := newTestStore(t)
	ctx := cassandratest.Context(t, 60*time.Second)
	hour := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	// 5 IN queries of readGroup, more than readConcurrency (the pool's
	// workers take several), an unknown beacon inside the first (answered
	// empty among partitions that have rows), and a last group of one
	// (read with selectHour).
	const n, per = 5 * readGroup, 3
	beacons := seedBeacons(t, ctx, st, n, per, hour)
	unknown := gocql.TimeUUID()
	const at = 7 // the unknown beacon's position
	asked := slices.Concat(beacons[:at], []gocql.UUID{unknown}, beacons[at:])
	got, err := st.SightingsOfBeacons(ctx, asked, hour)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(asked) {
		t.Fatalf("%d answers for %d beacons", len(got), len(asked))
	}
	for i, ss := range got {
		if i == at {
			if ss == nil || len(ss) != 0 {
				t.Errorf("unknown beacon: %#v, want empty non-nil", ss)
			}
			continue
		}
		if len(ss) != per {
			t.Fatalf("beacon %d: %d sightings, want %d", i, len(ss), per)
		}
		for j, s := range ss {
			if s.BeaconID != asked[i] {
				t.Fatalf("beacon %d answered with beacon %s's sighting", i, s.BeaconID)
			}
			if want := hour.Add(time.Duration(per-1-j) * time.Minute); !s.TimeLogged.Equal(want) {
				t.Fatalf("beacon %d sighting %d at %v, want %v (newest first)", i, j, s.TimeLogged, want)
			}
		}
	}
	// One unknown beacon alone (selectHour) and a group of only unknown
	// ones (one IN query with no rows): all empty, none nil.
	for _, ids := range [][]gocql.UUID{{unknown}, {unknown, gocql.TimeUUID(), gocql.TimeUUID()}} {
		got, err := st.SightingsOfBeacons(ctx, ids, hour)
		if err != nil || len(got) != len(ids) {
			t.Fatalf("%d unknown beacons: %d answers, %v", len(ids), len(got), err)
		}
		for i, ss := range got {
			if ss == nil || len(ss) != 0 {
				t.Errorf("%d unknown beacons: answer %d is %#v, want empty non-nil", len(ids), i, ss)
			}
		}
	}
	if _, err := st.SightingsOfBeacons(ctx, beacons, hour.Add(time.Minute)); err == nil {
		t.Error("an hour that is not an HourBucket was accepted")
	}
}

func TestSightingsOfBeaconsBoundsTheRows(t *testing.T) {
	if testing.Short() {
		t.Skip("writes maxRowsPerRequest rows")
	}
	st, _, _ := newTestStore(t)
	ctx := cassandratest.Context(t, 5*time.Minute)
	hour := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	// 4 beacons of maxRowsPerRequest/3 rows: each alone is within bounds,
	// together they are not.
	per := maxRowsPerRequest/3 + 1
	beacons := make([]gocql.UUID, 4)
	rows := make([]api.Sighting, 0, maxBatch)
	for i := range beacons {
		beacons[i] = gocql.TimeUUID()
		for j := range per {
			rows = append(rows, api.Sighting{BeaconID: beacons[i], TimeLogged: hour.Add(time.Duration(j) * time.Millisecond), UserID: beacons[i], Name: "n"})
			if len(rows) == maxBatch {
				if err := st.RecordSightings(ctx, rows); err != nil {
					t.Fatal(err)
				}
				rows = rows[:0]
			}
		}
	}
	if err := st.RecordSightings(ctx, rows); err != nil {
		t.Fatal(err)
	}
	if got, err := st.SightingsOfBeacons(ctx, beacons[:1], hour); err != nil || len(got[0]) != per {
		t.Fatalf("one beacon: %d rows, %v", len(got), err)
	}
	if _, err := st.SightingsOfBeacons(ctx, beacons, hour); !errors.Is(err, errTooManyRows) {
		t.Fatalf("err = %v, want errTooManyRows", err)
	}
}

func TestSightingsOfBeaconsCancelled(t *testing.T) {
	st, _, _ := newTestStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := st.SightingsOfBeacons(ctx, []gocql.UUID{gocql.TimeUUID(), gocql.TimeUUID()}, api.HourBucket(time.Now())); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// BenchmarkSightingsOfBeacons reads 100 beacons x 10 sightings (the
// aggregator's chunk and tools/bench/run's rows): the store's way (IN
// queries of readGroup, readConcurrency at a time), against the other
// shapes tried: all single-partition reads at once (the store's way before,
// 64 at a time), IN queries of 10 at once, and one IN of all 100.
func BenchmarkSightingsOfBeacons(b *testing.B) {
	s, _ := cassandratest.Keyspace(b, schemaFS)
	st := newCassandraStore(s)
	ctx := context.Background()
	hour := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	beacons := seedBeacons(b, ctx, st, maxQueryBeacons, 10, hour)
	b.Run("store", func(b *testing.B) {
		for b.Loop() {
			if _, err := st.SightingsOfBeacons(ctx, beacons, hour); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("one-beacon", func(b *testing.B) {
		for b.Loop() {
			if _, err := st.SightingsInHour(ctx, beacons[0], hour); err != nil {
				b.Fatal(err)
			}
		}
	})
	scan := func(sc gocql.Scanner) (api.Sighting, error) {
		var x api.Sighting
		return x, sc.Scan(&x.BeaconID, &x.TimeLogged, &x.UserID, &x.Name)
	}
	for _, group := range []int{1, 10, len(beacons)} {
		b.Run(fmt.Sprintf("queries-of-%d-beacons-at-once", group), func(b *testing.B) {
			for b.Loop() {
				errs := make(chan error, len(beacons))
				rows := make(chan int, len(beacons))
				for start := 0; start < len(beacons); start += group {
					go func() {
						q := cassandra.Read(ctx, s, selectHours, beacons[start:min(start+group, len(beacons))], hour)
						if group == 1 {
							q = cassandra.Read(ctx, s, selectHour, beacons[start], hour)
						}
						got, err := cassandra.All(q, 1000, maxRowsPerRequest, scan)
						rows <- len(got)
						errs <- err
					}()
				}
				n := 0
				for start := 0; start < len(beacons); start += group {
					if err := <-errs; err != nil {
						b.Fatal(err)
					}
					n += <-rows
				}
				if n != 10*len(beacons) {
					b.Fatalf("%d rows", n)
				}
			}
		})
	}
}
