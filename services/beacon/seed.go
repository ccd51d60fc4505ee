package main

import (
	"context"
	"fmt"

	"github.com/gocql/gocql"

	"github.com/find-peers/find-peers/libs/api"
)

// seedBeacons is the demo data of docs/ARCHITECTURE.md (from the original project).
var seedBeacons = []api.Beacon{
	{LocationID: seedUUID("ce519f95-923c-4532-879e-cd19afa8dda8"), BeaconID: seedUUID("5bf966d9-8046-4fc1-ae5a-80c923ebea5a"), BeaconName: "Bed Room Beacon"},
	{LocationID: seedUUID("68dce417-460a-4509-acdf-c5401afd652f"), BeaconID: seedUUID("99a627ed-d91b-45de-beef-5e73c4edba87"), BeaconName: "Kitchen Beacon"},
	{LocationID: seedUUID("70e71688-1b99-42de-a414-299e033192ec"), BeaconID: seedUUID("250cd22b-1de4-4a6c-9ee5-761bf39204d0"), BeaconName: "Living Room Beacon"},
	{LocationID: seedUUID("bd1bd41c-0b28-4595-8eb5-394a645570ca"), BeaconID: seedUUID("42c75451-e0da-4481-b807-580bbb8c4bf2"), BeaconName: "Basement Beacon"},
	{LocationID: seedUUID("8321be22-9686-4b35-9f3d-4d7b74fdc463"), BeaconID: seedUUID("562a37e6-232f-4e97-b4b8-7c02af55aeda"), BeaconName: "Garden Beacon"},
}

// seed loads the demo beacons through the store, the same code path as
// POST /beacons, so the demo exercises what production does. Upserts make
// seeding twice harmless.
func seed(ctx context.Context, s interface {
	PutBeacon(context.Context, api.Beacon) error
}) error {
	for _, b := range seedBeacons {
		if err := s.PutBeacon(ctx, b); err != nil {
			return fmt.Errorf("seed beacon %q: %w", b.BeaconName, err)
		}
	}
	return nil
}

func seedUUID(s string) gocql.UUID {
	u, err := gocql.ParseUUID(s)
	if err != nil {
		panic(err)
	}
	return u
}
