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

// GroupByBeacon puts each run of consecutive sightings of one beacon (the
// way tracking reads and answers them: a partition's rows together) into
// out at index[beacon], as the run itself, a sub-slice of ss with its
// capacity capped so that a later append copies, or appended when out
// already holds some of that beacon. It hands out runs instead of copying
// sighting by sighting. It stops at the first beacon index does not hold
// and returns it with ok false.
func GroupByBeacon(ss []Sighting, index map[gocql.UUID]int, out [][]Sighting) (unknown gocql.UUID, ok bool) {
	for start := 0; start < len(ss); {
		b := ss[start].BeaconID
		end := start + 1
		for end < len(ss) && ss[end].BeaconID == b {
			end++
		}
		i, known := index[b]
		if !known {
			return b, false
		}
		if out[i] == nil {
			out[i] = ss[start:end:end]
		} else {
			out[i] = append(out[i], ss[start:end]...)
		}
		start = end
	}
	return gocql.UUID{}, true
}
