package main

// The Cassandra store of beacon-service. Its method signatures are the
// contract with handlers.go.

import (
	"context"
	"errors"
	"fmt"

	"github.com/gocql/gocql"

	"github.com/find-peers/find-peers/libs/api"
	"github.com/find-peers/find-peers/libs/cassandra"
)

// errNotFound is returned by Beacon when no beacon has the id.
var errNotFound = errors.New("beacon not found")

// errBadPage is returned by Locations when Cassandra refuses the paging
// state it was given: the client sent a token that no answer of ours held.
var errBadPage = errors.New("invalid paging state")

// Statements of the store. gocql prepares each once per connection and binds
// values, so no value is ever spliced into CQL.
const (
	selectBeaconsAt = `SELECT location_id, beacon_id, beacon_name FROM beacons_by_location WHERE location_id = ?`
	selectBeacon    = `SELECT location_id, beacon_id, beacon_name FROM beacons_by_id WHERE beacon_id = ?`
	insertByLoc     = `INSERT INTO beacons_by_location (location_id, beacon_id, beacon_name) VALUES (?, ?, ?)`
	insertByID      = `INSERT INTO beacons_by_id (beacon_id, location_id, beacon_name) VALUES (?, ?, ?)`
	deleteByLoc     = `DELETE FROM beacons_by_location WHERE location_id = ? AND beacon_id = ?`
	// selectLocations has no WHERE clause: it is a scan of the whole token
	// ring that returns each partition key once, in token order. See
	// Locations for what that costs and why it is only ever run a page at a
	// time.
	selectLocations = `SELECT DISTINCT location_id FROM beacons_by_location`
)

// maxBeaconsPerLocation bounds a location read; a location has a handful of
// beacons, so more means something is wrong rather than a page to fetch.
const maxBeaconsPerLocation = 10000

type cassandraStore struct{ session *gocql.Session }

func newCassandraStore(s *gocql.Session) *cassandraStore { return &cassandraStore{session: s} }

func scanBeacon(sc gocql.Scanner) (api.Beacon, error) {
	var b api.Beacon
	err := sc.Scan(&b.LocationID, &b.BeaconID, &b.BeaconName)
	return b, err
}

// BeaconsAt lists the beacons at a location (empty, not an error, when none).
func (c *cassandraStore) BeaconsAt(ctx context.Context, locationID gocql.UUID) ([]api.Beacon, error) {
	bs, err := cassandra.All(cassandra.Read(ctx, c.session, selectBeaconsAt, locationID), 500, maxBeaconsPerLocation, scanBeacon)
	if err != nil {
		return nil, fmt.Errorf("read beacons at location %s: %w", locationID, err)
	}
	if bs == nil {
		bs = []api.Beacon{} // encodes as [] rather than null
	}
	return bs, nil
}

// Beacon returns one beacon, or errNotFound.
func (c *cassandraStore) Beacon(ctx context.Context, beaconID gocql.UUID) (api.Beacon, error) {
	var b api.Beacon
	err := cassandra.Read(ctx, c.session, selectBeacon, beaconID).Scan(&b.LocationID, &b.BeaconID, &b.BeaconName)
	if errors.Is(err, gocql.ErrNotFound) {
		return api.Beacon{}, errNotFound
	}
	if err != nil {
		return api.Beacon{}, fmt.Errorf("read beacon %s: %w", beaconID, err)
	}
	return b, nil
}

// PutBeacon registers (upserts) a beacon in both tables.
//
// Both rows go in one logged batch: Cassandra then guarantees that either
// both tables get the beacon or, after a failure, the batch log replays it,
// so the two views cannot disagree for good. A beacon that moved to another
// location is removed from its old location in the same batch. Replaying
// the batch has the same effect, so it is idempotent and may be retried.
func (c *cassandraStore) PutBeacon(ctx context.Context, b api.Beacon) error {
	old, err := c.Beacon(ctx, b.BeaconID)
	if err != nil && !errors.Is(err, errNotFound) {
		return err
	}
	batch := c.session.NewBatch(gocql.LoggedBatch).WithContext(ctx)
	add := func(stmt string, args ...any) {
		batch.Entries = append(batch.Entries, gocql.BatchEntry{Stmt: stmt, Args: args, Idempotent: true})
	}
	if err == nil && old.LocationID != b.LocationID {
		add(deleteByLoc, old.LocationID, b.BeaconID)
	}
	add(insertByLoc, b.LocationID, b.BeaconID, b.BeaconName)
	add(insertByID, b.BeaconID, b.LocationID, b.BeaconName)
	if err := c.session.ExecuteBatch(batch); err != nil {
		return fmt.Errorf("write beacon %s: %w", b.BeaconID, err)
	}
	return nil
}

// Locations reads one page of the known locations: at most limit location
// ids, in Cassandra's token order (stable, but meaningless to a person),
// starting where the paging state page ends (nil: from the start). next is
// the paging state of the following page, nil when Cassandra knows nothing
// follows; a full page may still be followed by an empty one, since
// Cassandra cannot tell that the last partition it read was the last.
//
// Cost: SELECT DISTINCT over the partition key walks the token ring range by
// range (on every node, a page at a time), reading each partition's key and
// no rows beyond the first live one. Unpaged it would stream every location
// through one request and one coordinator; with PageSize(limit) and
// auto-paging off, each call stops after limit live partitions, so a request
// costs O(limit) partitions read plus whatever deleted partitions lie in the
// way (their tombstones are scanned, bounded by Cassandra's tombstone
// thresholds). It is a read, marked idempotent, so it may be retried.
//
// A paging state is opaque to us and to the client; Cassandra validates it.
// A malformed one is refused as a protocol error (0x000A, "Invalid value for
// the paging state") or, when it is well formed around a partition key that
// cannot be one of ours, fails on the replica (read failure 0x1300) or the
// coordinator (server error 0x0000). With a paging state given, those mean
// the state was bad (the statement is fixed, the state is the only client
// input), so they are errBadPage; a real read failure on a later page then
// reads as a bad token, and the client starts again from the first page,
// which reports it as the 500 it is. Without a paging state they stay
// errors of the database. Unavailable and timeouts are never errBadPage.
func (c *cassandraStore) Locations(ctx context.Context, limit int, page []byte) ([]gocql.UUID, []byte, error) {
	// PageState (even nil) turns auto-paging off: one round trip, one page.
	iter := cassandra.Read(ctx, c.session, selectLocations).PageSize(limit).PageState(page).Iter()
	ids := make([]gocql.UUID, 0, limit)
	var id gocql.UUID
	for len(ids) < limit && iter.Scan(&id) {
		ids = append(ids, id)
	}
	next := iter.PageState()
	if err := iter.Close(); err != nil {
		if page != nil && refusedPagingState(err) {
			return nil, nil, fmt.Errorf("read locations: %w: %w", errBadPage, err)
		}
		return nil, nil, fmt.Errorf("read locations: %w", err)
	}
	if len(next) == 0 {
		next = nil
	}
	return ids, next, nil
}

// refusedPagingState reports whether err is how Cassandra answers a paging
// state it cannot use (see Locations).
func refusedPagingState(err error) bool {
	var re gocql.RequestError
	if !errors.As(err, &re) {
		return false
	}
	switch re.Code() {
	case gocql.ErrCodeProtocol, gocql.ErrCodeInvalid, gocql.ErrCodeServer, gocql.ErrCodeReadFailure:
		return true
	}
	return false
}
