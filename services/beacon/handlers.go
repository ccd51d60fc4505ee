package main

import (
	"context"
	"errors"
	"net/http"

	"github.com/gocql/gocql"
	"github.com/gorilla/mux"

	"github.com/find-peers/find-peers/libs/api"
	"github.com/find-peers/find-peers/libs/httpx"
	"github.com/find-peers/find-peers/libs/storeerr"
	"github.com/find-peers/find-peers/libs/validate"
)

// store is what the handlers need from persistence; cassandraStore is the
// real one and the tests use an in-memory fake.
type store interface {
	// BeaconsAt answers an empty slice, never nil, for a location without
	// beacons, so the handler's answer is [] rather than null.
	BeaconsAt(ctx context.Context, locationID gocql.UUID) ([]api.Beacon, error)
	Beacon(ctx context.Context, beaconID gocql.UUID) (api.Beacon, error)
	PutBeacon(ctx context.Context, b api.Beacon) error
	// Locations answers one page of at most limit location ids, starting
	// at paging state page (nil: the first page), and the paging state of
	// the next page (nil: nothing follows); errBadPage when the database
	// refuses page. See cassandraStore.Locations for the cost.
	Locations(ctx context.Context, limit int, page []byte) (ids []gocql.UUID, next []byte, err error)
}

var _ store = (*cassandraStore)(nil)

const (
	// maxBeaconBody bounds POST /beacons: three short fields.
	maxBeaconBody = 4 << 10
	// maxBeaconName is in characters; the original had no limit, but a
	// name is a label on a map, not a document.
	maxBeaconName = 100
)

// beaconsAt answers GET /beacons/locations/{locationId}: the beacons at the
// location, an empty list when there are none (a location is not an entity
// of its own, so "unknown" and "empty" are the same answer).
func beaconsAt(s store) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		loc, err := validate.UUID("locationId", mux.Vars(r)["locationId"])
		if err != nil {
			return err
		}
		beacons, err := s.BeaconsAt(r.Context(), loc)
		if err != nil {
			return storeerr.HTTP(err)
		}
		return httpx.WriteJSON(w, http.StatusOK, beacons)
	}
}

// getBeacon answers GET /beacons/{beaconId}: one beacon or 404.
func getBeacon(s store) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := validate.UUID("beaconId", mux.Vars(r)["beaconId"])
		if err != nil {
			return err
		}
		b, err := s.Beacon(r.Context(), id)
		if errors.Is(err, errNotFound) {
			return httpx.NotFound("beacon %s not found", id)
		}
		if err != nil {
			return storeerr.HTTP(err)
		}
		return httpx.WriteJSON(w, http.StatusOK, b)
	}
}

// putBeaconRequest is the body of POST /beacons. Fields are strings, not
// gocql.UUID, because gocql's UUID decoder accepts odd spellings (no
// hyphens, JSON numbers); validate.UUID is strict and names the field.
type putBeaconRequest struct {
	LocationID *string `json:"locationId"`
	BeaconID   *string `json:"beaconId"`
	BeaconName *string `json:"beaconName"`
}

// parse validates the request completely before anything is stored.
func (req putBeaconRequest) parse() (api.Beacon, error) {
	var b api.Beacon
	if req.LocationID == nil {
		return b, httpx.BadRequest("locationId is required")
	}
	if req.BeaconName == nil {
		return b, httpx.BadRequest("beaconName is required")
	}
	var err error
	if b.LocationID, err = validate.UUID("locationId", *req.LocationID); err != nil {
		return b, err
	}
	if b.BeaconName, err = validate.Name("beaconName", *req.BeaconName, maxBeaconName); err != nil {
		return b, err
	}
	if req.BeaconID == nil {
		// The client may leave the id to us; a random (v4) UUID cannot
		// collide in practice.
		if b.BeaconID, err = gocql.RandomUUID(); err != nil {
			return b, httpx.Wrap(http.StatusInternalServerError, "internal error", err)
		}
		return b, nil
	}
	b.BeaconID, err = validate.UUID("beaconId", *req.BeaconID)
	return b, err
}

// putBeacon answers POST /beacons: it registers the beacon and answers 201
// with the stored beacon and its Location. It is an upsert, so repeating the
// request is harmless; the same beaconId with a new name renames the beacon,
// and with a new locationId moves it (the store removes it from the old
// location in the same batch).
func putBeacon(s store) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var req putBeaconRequest
		if err := httpx.DecodeJSON(r, &req, maxBeaconBody); err != nil {
			return err
		}
		b, err := req.parse()
		if err != nil {
			return err
		}
		if err := s.PutBeacon(r.Context(), b); err != nil {
			return storeerr.HTTP(err)
		}
		w.Header().Set("Location", "/beacons/"+b.BeaconID.String())
		return httpx.WriteJSON(w, http.StatusCreated, b)
	}
}
