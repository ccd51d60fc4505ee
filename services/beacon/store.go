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

// Statements of the store. gocql prepares each once per connection and binds
// values, so no value is ever spliced into CQL.
const (
	selectBeaconsAt = `SELECT location_id, beacon_id, beacon_name FROM beacons_by_location WHERE location_id = ?`
	selectBeacon    = `SELECT location_id, beacon_id, beacon_name FROM beacons_by_id WHERE beacon_id = ?`
	insertByLoc     = `INSERT INTO beacons_by_location (location_id, beacon_id, beacon_name) VALUES (?, ?, ?)`
	insertByID      = `INSERT INTO beacons_by_id (beacon_id, location_id, beacon_name) VALUES (?, ?, ?)`
	deleteByLoc     = `DELETE FROM beacons_by_location WHERE location_id = ? AND beacon_id = ?`
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
