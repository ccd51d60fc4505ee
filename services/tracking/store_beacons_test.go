package main

import (
	"context"
	"errors"
	"fmt"
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
	const n, per = 40, 3 // more beacons than readConcurrency
	beacons := seedBeacons(t, ctx, st, n, per, hour)
	unknown := gocql.TimeUUID()
	got, err := st.SightingsOfBeacons(ctx, append(beacons, unknown), hour)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n+1 {
		t.Fatalf("%d answers for %d beacons", len(got), n+1)
	}
	for i, ss := range got[:n] {
		if len(ss) != per {
			t.Fatalf("beacon %d: %d sightings, want %d", i, len(ss), per)
		}
		for j, s := range ss {
			if s.BeaconID != beacons[i] {
				t.Fatalf("beacon %d answered with beacon %s's sighting", i, s.BeaconID)
			}
			if want := hour.Add(time.Duration(per-1-j) * time.Minute); !s.TimeLogged.Equal(want) {
				t.Fatalf("beacon %d sighting %d at %v, want %v (newest first)", i, j, s.TimeLogged, want)
			}
		}
	}
	if got[n] == nil || len(got[n]) != 0 {
		t.Errorf("unknown beacon: %#v, want empty non-nil", got[n])
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

// selectHourIn is the alternative SightingsOfBeacons does not use: one
// multi-partition query, measured against it by the benchmark below.
const selectHourIn = `SELECT beacon_id, time_logged, user_id, name FROM users_by_beacon WHERE beacon_id IN ? AND hour = ?`

// BenchmarkSightingsOfBeacons reads 100 beacons x 10 sightings (the
// aggregator's chunk and tools/bench/run's rows): parallel single-partition
// queries as the store does, against one `IN ?` query.
func BenchmarkSightingsOfBeacons(b *testing.B) {
	s, _ := cassandratest.Keyspace(b, schemaFS)
	st := newCassandraStore(s)
	ctx := context.Background()
	hour := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	beacons := seedBeacons(b, ctx, st, maxQueryBeacons, 10, hour)
	b.Run("parallel-partitions", func(b *testing.B) {
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
	for _, group := range []int{10, 25} {
		b.Run(fmt.Sprintf("IN-queries-of-%d-in-parallel", group), func(b *testing.B) {
			for b.Loop() {
				errs := make(chan error, len(beacons))
				for start := 0; start < len(beacons); start += group {
					go func() {
						q := cassandra.Read(ctx, s, selectHourIn, beacons[start:min(start+group, len(beacons))], hour)
						_, err := cassandra.All(q, 1000, maxRowsPerRequest, func(sc gocql.Scanner) (api.Sighting, error) {
							var x api.Sighting
							return x, sc.Scan(&x.BeaconID, &x.TimeLogged, &x.UserID, &x.Name)
						})
						errs <- err
					}()
				}
				for start := 0; start < len(beacons); start += group {
					if err := <-errs; err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
	b.Run("one-IN-query", func(b *testing.B) {
		for b.Loop() {
			q := cassandra.Read(ctx, s, selectHourIn, beacons, hour)
			rows, err := cassandra.All(q, 1000, maxRowsPerRequest, func(sc gocql.Scanner) (api.Sighting, error) {
				var x api.Sighting
				return x, sc.Scan(&x.BeaconID, &x.TimeLogged, &x.UserID, &x.Name)
			})
			if err != nil || len(rows) != 10*maxQueryBeacons {
				b.Fatal(len(rows), err)
			}
		}
	})
}
