package main

// The Cassandra store of tracking-service. Its method signatures are the
// contract with handlers.go.

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gocql/gocql"

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

// partitionKey groups sightings the way Cassandra stores them.
type partitionKey struct {
	beacon gocql.UUID
	hour   time.Time
}

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
	order, groups := groupByPartition(sightings)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		sem      = make(chan struct{}, writeConcurrency)
		errOnce  sync.Once
		firstErr error
	)
	fail := func(err error) { errOnce.Do(func() { firstErr = err; cancel() }) }
send:
	for _, k := range order {
		rows := groups[k]
		for start := 0; start < len(rows); start += batchRows {
			chunk := rows[start:min(start+batchRows, len(rows))]
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				fail(ctx.Err())
				break send
			}
			wg.Add(1)
			go func() {
				defer func() { <-sem; wg.Done() }()
				if err := c.writeBatch(ctx, k, chunk); err != nil {
					fail(err)
				}
			}()
		}
	}
	wg.Wait()
	return firstErr
}

// groupByPartition groups sightings by (beacon, hour), in first-seen order.
// Entries with the same primary key (beacon, time, user) collapse to the last
// one, so "the later one wins" inside a request too: within one batch both
// would get the same write timestamp and Cassandra would keep the larger
// value rather than the later one.
func groupByPartition(sightings []api.Sighting) ([]partitionKey, map[partitionKey][]api.Sighting) {
	type rowKey struct {
		p    partitionKey
		at   time.Time
		user gocql.UUID
	}
	var order []partitionKey
	groups := map[partitionKey][]api.Sighting{}
	pos := map[rowKey]int{}
	for _, s := range sightings {
		s.TimeLogged = s.TimeLogged.UTC() // one location, so equal times are == in rowKey
		pk := partitionKey{s.BeaconID, api.HourBucket(s.TimeLogged)}
		rk := rowKey{pk, s.TimeLogged, s.UserID}
		if i, dup := pos[rk]; dup {
			groups[pk][i] = s
			continue
		}
		if _, ok := groups[pk]; !ok {
			order = append(order, pk)
		}
		pos[rk] = len(groups[pk])
		groups[pk] = append(groups[pk], s)
	}
	return order, groups
}

func (c *cassandraStore) writeBatch(ctx context.Context, k partitionKey, rows []api.Sighting) error {
	b := c.session.NewBatch(gocql.UnloggedBatch).WithContext(ctx)
	for _, s := range rows {
		b.Entries = append(b.Entries, gocql.BatchEntry{
			Stmt:       insertSighting,
			Args:       []any{s.BeaconID, k.hour, s.TimeLogged, s.UserID, s.Name},
			Idempotent: true, // an upsert of fixed values
		})
	}
	if err := c.session.ExecuteBatch(b); err != nil {
		return fmt.Errorf("write %d sightings of beacon %s at %s: %w", len(rows), k.beacon, k.hour.Format(time.RFC3339), err)
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
