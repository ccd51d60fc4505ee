// Package api holds the JSON wire types of the find-peers HTTP API (see
// docs/ARCHITECTURE.md). Services encode them, and the aggregator decodes
// the beacon and tracking services' answers with them, so the names cannot
// drift apart between producer and consumer.
package api

import (
	"time"

	"github.com/gocql/gocql"
)

// MaxSightingsQueryBeacons is the most beaconId values one GET
// /tracking/sightings takes, repeats counted (the parameter's maxItems in
// tracking's and the gateway's OpenAPI documents): tracking answers more
// with a 400, and the aggregator asks in chunks of this size. One constant,
// so the two cannot drift apart.
const MaxSightingsQueryBeacons = 100

// Beacon is a Bluetooth beacon hanging at a location (beacon-service).
type Beacon struct {
	LocationID gocql.UUID `json:"locationId"`
	BeaconID   gocql.UUID `json:"beaconId"`
	BeaconName string     `json:"beaconName"`
}

// Sighting records that a user was seen by a beacon at a time (tracking-service).
type Sighting struct {
	BeaconID   gocql.UUID `json:"beaconId"`
	TimeLogged time.Time  `json:"timeLogged"`
	UserID     gocql.UUID `json:"userId"`
	Name       string     `json:"name"`
}

// UserAtLocation is one entry of the aggregator's answer: a user seen at a
// location, by which beacon, and when.
type UserAtLocation struct {
	UserID     gocql.UUID `json:"userId"`
	Name       string     `json:"name"`
	TimeLogged time.Time  `json:"timeLogged"`
	BeaconName string     `json:"beaconName"`
}

// Error is the body of every error response: {"error": "..."}.
type Error struct {
	Error string `json:"error"`
}

// HourBucket returns the start of the UTC clock hour that contains t. Sightings
// are partitioned by (beacon, hour), and queries by time mean "that hour".
func HourBucket(t time.Time) time.Time {
	return t.UTC().Truncate(time.Hour)
}
