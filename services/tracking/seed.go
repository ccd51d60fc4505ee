package main

import (
	"context"
	"fmt"
	"time"

	"github.com/gocql/gocql"

	"github.com/find-peers/find-peers/libs/api"
)

// seedTime is when every demo sighting happened: 2016-09-06 10:00:00 UTC.
var seedTime = time.Unix(1473156000, 0).UTC()

// seedSightings is the demo data of docs/ARCHITECTURE.md (from the original project).
// The two kitchen rows for user 94e11b68-... share beacon, time and user, so
// they are one row in Cassandra and the later one ("Shrihan Sulgham") wins:
// 8 entries, 7 rows. That is what the data says; keep it.
var seedSightings = []api.Sighting{
	seedSighting("5bf966d9-8046-4fc1-ae5a-80c923ebea5a", "f525cff6-721e-11e6-8b77-86f30ca893d3", "Avinash Erupaka"),
	seedSighting("5bf966d9-8046-4fc1-ae5a-80c923ebea5a", "8010fa28-721f-11e6-8b77-86f30ca893d3", "Bhargavi Erupaka"),
	seedSighting("5bf966d9-8046-4fc1-ae5a-80c923ebea5a", "88b66e10-721f-11e6-8b77-86f30ca893d3", "Shobha Erupaka"),
	seedSighting("99a627ed-d91b-45de-beef-5e73c4edba87", "94e11b68-721f-11e6-8b77-86f30ca893d3", "Shreya Sulgham"),
	seedSighting("99a627ed-d91b-45de-beef-5e73c4edba87", "94e11b68-721f-11e6-8b77-86f30ca893d3", "Shrihan Sulgham"),
	seedSighting("99a627ed-d91b-45de-beef-5e73c4edba87", "99970b22-721f-11e6-8b77-86f30ca893d3", "Archana Sulgham"),
	seedSighting("99a627ed-d91b-45de-beef-5e73c4edba87", "9ebc0c38-721f-11e6-8b77-86f30ca893d3", "Anil Sulgham"),
	seedSighting("562a37e6-232f-4e97-b4b8-7c02af55aeda", "a4619f9a-721f-11e6-8b77-86f30ca893d3", "Sunita Bohra"),
}

// seed loads the demo sightings through the store, the same code path as
// POST /tracking/sightings. Each entry is written on its own, in order, so
// that "the later one wins" for the duplicate kitchen row regardless of how
// a batch would be scheduled. Seeding twice is harmless (upserts).
func seed(ctx context.Context, s interface {
	RecordSightings(context.Context, []api.Sighting) error
}) error {
	for _, sg := range seedSightings {
		if err := s.RecordSightings(ctx, []api.Sighting{sg}); err != nil {
			return fmt.Errorf("seed sighting of %q: %w", sg.Name, err)
		}
	}
	return nil
}

func seedSighting(beacon, user, name string) api.Sighting {
	return api.Sighting{BeaconID: seedUUID(beacon), TimeLogged: seedTime, UserID: seedUUID(user), Name: name}
}

func seedUUID(s string) gocql.UUID {
	u, err := gocql.ParseUUID(s)
	if err != nil {
		panic(err)
	}
	return u
}
