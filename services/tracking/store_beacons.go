package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gocql/gocql"
	"golang.org/x/sync/errgroup"

	"github.com/find-peers/find-peers/libs/api"
	"github.com/find-peers/find-peers/libs/cassandra"
)

// SightingsOfBeacons returns, for each of beacons (distinct ids), its
// sightings in the UTC clock hour that starts at hour, newest first: out[i]
// belongs to beacons[i] and is empty, never nil, when there are none.
//
// The beacons are read in groups of readGroup partitions, one selectHours
// (`beacon_id IN ?`) query per group, at most readConcurrency queries at a
// time; a group of one beacon is read with selectHour, which the token-aware
// session sends straight to a replica. An IN query goes to any node, which
// gathers its partitions from their replicas: on one node that costs
// nothing, in a cluster one hop more than a token-aware read, which is
// bought back by sending 4 queries instead of 100 (the reads Cassandra does
// are the same). One IN of all 100 was the slowest choice (readGroup). The
// first failure cancels the other queries. Once more than maxRowsPerRequest
// rows arrive in total the call stops with errTooManyRows (wrapped), so
// memory stays bounded whatever the beacons hold.
func (c *cassandraStore) SightingsOfBeacons(ctx context.Context, beacons []gocql.UUID, hour time.Time) ([][]api.Sighting, error) {
	if !hour.Equal(api.HourBucket(hour)) {
		return nil, errors.New("SightingsOfBeacons: hour must be the start of a clock hour (api.HourBucket)")
	}
	out := make([][]api.Sighting, len(beacons))
	index := make(map[gocql.UUID]int, len(beacons))
	for i, b := range beacons {
		index[b] = i
	}
	var total atomic.Int64 // rows read so far, all groups together
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(readConcurrency)
	for first := 0; first < len(beacons); first += readGroup {
		group := beacons[first:min(first+readGroup, len(beacons))]
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err // another group failed: read no more
			}
			return c.readGroup(gctx, group, hour, index, out, &total)
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i] == nil {
			out[i] = []api.Sighting{}
		}
	}
	return out, nil
}

// readGroup reads the hour of group's beacons in one query and appends each
// row to out at its beacon's index; groups are disjoint, so concurrent
// readGroup calls write disjoint elements of out. total is the rows read by
// every group of the call, bounded by maxRowsPerRequest.
func (c *cassandraStore) readGroup(ctx context.Context, group []gocql.UUID, hour time.Time, index map[gocql.UUID]int, out [][]api.Sighting, total *atomic.Int64) error {
	scan := func(sc gocql.Scanner) (api.Sighting, error) {
		if total.Add(1) > maxRowsPerRequest {
			return api.Sighting{}, errTooManyRows
		}
		return scanSighting(sc)
	}
	// The shared budget (scan) is what bounds memory; the query's own limit
	// is set above it so that it never answers first.
	const limit = maxRowsPerRequest + 1
	if len(group) == 1 {
		rows, err := c.readHour(ctx, group[0], hour, limit, scan)
		out[index[group[0]]] = rows
		return err
	}
	q := cassandra.Read(ctx, c.session, selectHours, group, hour.UTC())
	rows, err := cassandra.All(q, 1000, limit, scan)
	if err != nil {
		return fmt.Errorf("read sightings of beacons %s at %s: %w", joinUUIDs(group), hour.UTC().Format(time.RFC3339), err)
	}
	// A partition's rows arrive together: each run of one beacon's rows is
	// handed out as a slice of rows, not copied.
	if b, ok := api.GroupByBeacon(rows, index, out); !ok {
		return fmt.Errorf("read sightings of beacons %s at %s: a row of beacon %s, which was not asked for", joinUUIDs(group), hour.UTC().Format(time.RFC3339), b)
	}
	return nil
}

func joinUUIDs(ids []gocql.UUID) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = id.String()
	}
	return strings.Join(s, ", ")
}
