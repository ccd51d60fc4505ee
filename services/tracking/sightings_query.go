package main

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gocql/gocql"

	"github.com/find-peers/find-peers/libs/api"
	"github.com/find-peers/find-peers/libs/httpx"
	"github.com/find-peers/find-peers/libs/storeerr"
	"github.com/find-peers/find-peers/libs/validate"
)

// maxQueryBeacons bounds the beaconId list of GET /tracking/sightings. The
// aggregator asks in chunks of this size (Upstreams.TrackingBatch), so 100
// beacons — a large location — is one request; 100 partitions of a busy
// hour (4 IN queries of readGroup, store_beacons.go) still fit in one
// request's time.
const maxQueryBeacons = api.MaxSightingsQueryBeacons

// sightingsOfBeacons answers GET /tracking/sightings?epochSeconds=E&beaconId=A&beaconId=B...:
// the sightings of every listed beacon in the UTC clock hour containing E,
// as one JSON array grouped per beacon in the order the ids were first
// listed, newest first within a beacon (as GET /tracking/beacons/{id}/{t}),
// [] when there are none. It is what the aggregator calls: one request
// instead of one per beacon. Ids may be repeated or comma-separated, like
// the /tracking/events filter; a duplicate is answered once, at its first
// position. 1 to maxQueryBeacons ids, repeats counted; more is a 400
// naming beaconId. An hour holding more than maxRowsPerRequest sightings for
// these beacons is a 422: ask for fewer beacons at a time.
func sightingsOfBeacons(s store) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		q := r.URL.Query()
		epoch := q["epochSeconds"]
		if len(epoch) != 1 {
			return httpx.BadRequest("epochSeconds is required, once")
		}
		at, err := validate.EpochSeconds("epochSeconds", epoch[0])
		if err != nil {
			return err
		}
		beacons, err := parseBeaconIDs(q["beaconId"], maxQueryBeacons)
		if err != nil {
			return err
		}
		if len(beacons) == 0 {
			return httpx.BadRequest("beaconId is required (repeat it for each beacon, at most %d)", maxQueryBeacons)
		}
		perBeacon, err := s.SightingsOfBeacons(r.Context(), beacons, api.HourBucket(at))
		if errors.Is(err, errTooManyRows) {
			return httpx.Wrap(http.StatusUnprocessableEntity, errTooManyRows.Error()+" for these beacons in this hour; ask for fewer beacons", err)
		}
		if err != nil {
			return storeerr.HTTP(err)
		}
		n := 0
		for _, ss := range perBeacon {
			n += len(ss)
		}
		out := make([]api.Sighting, 0, n) // [] rather than null when empty
		for _, ss := range perBeacon {
			out = append(out, ss...)
		}
		return httpx.WriteJSON(w, http.StatusOK, out)
	}
}

// parseBeaconIDs reads beaconId query values, each one id or a
// comma-separated list, into distinct ids in first-seen order. At most max
// ids may be given, repeats included: the documents' maxItems counts every
// value (schemathesis, seed 1151733619, sent 101 copies of one id). It stops
// at the first id beyond max, so a huge list costs no more than max+1 ids.
func parseBeaconIDs(values []string, max int) ([]gocql.UUID, error) {
	seen := map[gocql.UUID]bool{}
	var ids []gocql.UUID
	given := 0
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			if given++; given > max {
				return nil, httpx.BadRequest("beaconId: more than %d ids in one request, at most %d allowed", max, max)
			}
			id, err := validate.UUID("beaconId", strings.TrimSpace(part))
			if err != nil {
				return nil, err
			}
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	return ids, nil
}
