package main

// The Cassandra store of tracking-service. Its method signatures are the
// contract with handlers.go.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/gocql/gocql"
	"golang.org/x/sync/errgroup"

	"github.com/find-peers/find-peers/libs/api"
	"github.com/find-peers/find-peers/libs/cassandra"
)

const (
	insertSighting = `INSERT INTO users_by_beacon (beacon_id, hour, time_logged, user_id, name) VALUES (?, ?, ?, ?, ?)`
	selectHour     = `SELECT beacon_id, time_logged, user_id, name FROM users_by_beacon WHERE beacon_id = ? AND hour = ?`
	// selectHours reads the same hour of several beacons' partitions in one
	// query (SightingsOfBeacons); the rows come partition by partition, each
	// partition in clustering order (newest first).
	selectHours = `SELECT beacon_id, time_logged, user_id, name FROM users_by_beacon WHERE beacon_id IN ? AND hour = ?`
)

const (
	// batchRows caps the rows of one partition's batch, keeping batches
	// well under Cassandra's batch_size_fail_threshold (50 KiB by default).
	batchRows = 50
	// writeConcurrency bounds the batches in flight per call, so one large
	// POST cannot monopolise the connection pool.
	writeConcurrency = 8
	// maxRowsPerHour bounds one hour's read (paged 1000 rows at a time).
	maxRowsPerHour = 100000
	// readGroup is the most partitions (beacons) one selectHours query
	// asks for: maxQueryBeacons (100) is 4 queries. On one node,
	// BenchmarkSightingsOfBeacons read 100 beacons x 10 rows in 4.5 ms as 4
	// parallel IN queries of 25, against 6.9 ms as 100 parallel
	// single-partition reads (and one IN of 100: 14 ms, its coordinator
	// gathering everything before answering); tracking's own CPU halved
	// with 96 fewer queries to build, send and decode.
	readGroup = 25
	// readConcurrency bounds the queries one SightingsOfBeacons call runs at
	// once, as writeConcurrency does for writes: one request for many
	// beacons cannot take the whole connection pool. 4 groups of readGroup
	// cover maxQueryBeacons.
	readConcurrency = 4
	// maxRowsPerRequest bounds the rows of one SightingsOfBeacons call, all
	// beacons together, so a request for many beacons holds no more memory
	// than the read of one beacon's hour may.
	maxRowsPerRequest = maxRowsPerHour
)

// errTooManyRows is SightingsOfBeacons' answer when the beacons' hour holds
// more than maxRowsPerRequest rows; the handler answers 422.
var errTooManyRows = fmt.Errorf("more than %d sightings", maxRowsPerRequest)

type cassandraStore struct{ session *gocql.Session }

func newCassandraStore(s *gocql.Session) *cassandraStore { return &cassandraStore{session: s} }

// RecordSightings writes sightings idempotently (same beacon, time and user =
// one row). It returns only when every row is acknowledged.
//
// Rows are grouped by partition (beacon, hour) into unlogged batches: a
// single-partition batch is applied atomically as one mutation by the
// replicas, which is cheaper than one request per row. Batches run
// concurrently, at most writeConcurrency at a time. On the first failure the
// remaining batches are cancelled and the error is returned once the
// batches in flight have finished; rows already written stay (a retry of
// the whole request is safe, since every write is an idempotent upsert).
func (c *cassandraStore) RecordSightings(ctx context.Context, sightings []api.Sighting) error {
	for i, s := range sightings {
		if s.TimeLogged.IsZero() {
			return fmt.Errorf("sighting %d: timeLogged is missing", i)
		}
	}
	batches := partitionBatches(sightings)
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(writeConcurrency)
	for _, rows := range batches {
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err // a batch failed, or the client went away: send no more
			}
			return c.writeBatch(ctx, rows)
		})
	}
	return g.Wait()
}

// partitionBatches splits sightings into batches of at most batchRows rows
// of one partition (beacon, hour), times in UTC. Entries with the same
// primary key (beacon, time, user) collapse to the last one, so "the later
// one wins" inside a request too: within one batch both would get the same
// write timestamp and Cassandra would keep the larger value rather than the
// later one.
//
// It sorts a copy by (beacon, time, user), which puts each partition's rows
// together (the hour follows the time) and duplicates next to each other,
// the later one last (the sort is stable): BenchmarkGroupByPartition put the
// maps this replaced at about 1 µs of tracking's CPU per row, more than
// decoding and validating it.
func partitionBatches(sightings []api.Sighting) [][]api.Sighting {
	rows := make([]api.Sighting, len(sightings))
	for i, s := range sightings {
		s.TimeLogged = s.TimeLogged.UTC()
		rows[i] = s
	}
	slices.SortStableFunc(rows, compareKey)
	kept := rows[:0]
	for i, s := range rows {
		if i+1 < len(rows) && compareKey(s, rows[i+1]) == 0 {
			continue // a later entry has the same key
		}
		kept = append(kept, s)
	}
	var batches [][]api.Sighting
	for start := 0; start < len(kept); {
		end := start + 1
		for end < len(kept) && end-start < batchRows && samePartition(kept[start], kept[end]) {
			end++
		}
		batches = append(batches, kept[start:end:end])
		start = end
	}
	return batches
}

// compareKey orders sightings by their primary key: beacon, then time,
// then user.
func compareKey(a, b api.Sighting) int {
	if c := bytes.Compare(a.BeaconID[:], b.BeaconID[:]); c != 0 {
		return c
	}
	if c := a.TimeLogged.Compare(b.TimeLogged); c != 0 {
		return c
	}
	return bytes.Compare(a.UserID[:], b.UserID[:])
}

func samePartition(a, b api.Sighting) bool {
	return a.BeaconID == b.BeaconID && api.HourBucket(a.TimeLogged).Equal(api.HourBucket(b.TimeLogged))
}

// writeBatch writes rows, all of one partition, as one unlogged batch.
func (c *cassandraStore) writeBatch(ctx context.Context, rows []api.Sighting) error {
	hour := api.HourBucket(rows[0].TimeLogged)
	// The partition's two values are boxed once for every row, and the
	// rows' arguments share one slab: a batch's allocations were a good part
	// of tracking's garbage under load.
	beaconArg, hourArg := any(rows[0].BeaconID), any(hour)
	b := c.session.NewBatch(gocql.UnloggedBatch).WithContext(ctx)
	b.Entries = make([]gocql.BatchEntry, len(rows))
	args := make([]any, len(rows)*5)
	for i, s := range rows {
		a := args[i*5 : (i+1)*5 : (i+1)*5]
		a[0], a[1], a[2], a[3], a[4] = beaconArg, hourArg, s.TimeLogged, s.UserID, s.Name
		b.Entries[i] = gocql.BatchEntry{Stmt: insertSighting, Args: a, Idempotent: true} // an upsert of fixed values
	}
	if err := c.session.ExecuteBatch(b); err != nil {
		return fmt.Errorf("write %d sightings of beacon %s at %s: %w", len(rows), rows[0].BeaconID, hour.Format(time.RFC3339), err)
	}
	return nil
}

// SightingsInHour returns the sightings of a beacon in the UTC clock hour that
// starts at hour (api.HourBucket), newest first; empty when none.
func (c *cassandraStore) SightingsInHour(ctx context.Context, beaconID gocql.UUID, hour time.Time) ([]api.Sighting, error) {
	if !hour.Equal(api.HourBucket(hour)) {
		return nil, errors.New("SightingsInHour: hour must be the start of a clock hour (api.HourBucket)")
	}
	return c.readHour(ctx, beaconID, hour, maxRowsPerHour, scanSighting)
}

// readHour reads one beacon's hour (selectHour, paged 1000 rows at a time)
// with scan, failing past limit rows; empty, never nil, when there are none.
// SightingsInHour and SightingsOfBeacons both read through it.
func (c *cassandraStore) readHour(ctx context.Context, beaconID gocql.UUID, hour time.Time, limit int, scan func(gocql.Scanner) (api.Sighting, error)) ([]api.Sighting, error) {
	q := cassandra.Read(ctx, c.session, selectHour, beaconID, hour.UTC())
	rows, err := cassandra.All(q, 1000, limit, scan)
	if err != nil {
		return nil, fmt.Errorf("read sightings of beacon %s at %s: %w", beaconID, hour.UTC().Format(time.RFC3339), err)
	}
	if rows == nil {
		rows = []api.Sighting{}
	}
	return rows, nil
}

// scanSighting reads one row of selectHour, its time in UTC.
func scanSighting(sc gocql.Scanner) (api.Sighting, error) {
	var s api.Sighting
	err := sc.Scan(&s.BeaconID, &s.TimeLogged, &s.UserID, &s.Name)
	s.TimeLogged = s.TimeLogged.UTC()
	return s, err
}
