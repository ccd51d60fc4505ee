package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/gocql/gocql"
	"github.com/gorilla/mux"

	"github.com/find-peers/find-peers/libs/api"
	"github.com/find-peers/find-peers/libs/httpx"
	"github.com/find-peers/find-peers/libs/sse"
	"github.com/find-peers/find-peers/libs/storeerr"
	"github.com/find-peers/find-peers/libs/validate"
)

// store is what the handlers need from persistence; cassandraStore is the
// real one and the tests use an in-memory fake.
type store interface {
	// RecordSightings takes times already at Cassandra's millisecond
	// precision (validate.Time and recordSightings truncate them), so what
	// is answered and published is exactly what is stored.
	RecordSightings(ctx context.Context, sightings []api.Sighting) error
	// SightingsInHour answers an empty slice, never nil, when there are
	// none, so the handler's answer is [] rather than null.
	SightingsInHour(ctx context.Context, beaconID gocql.UUID, hour time.Time) ([]api.Sighting, error)
	// SightingsOfBeacons is SightingsInHour for many distinct beacons at
	// once: out[i] belongs to beacons[i], empty and never nil when there
	// are none. More than maxRowsPerRequest rows in total is an error
	// wrapping errTooManyRows, so one call's memory is bounded.
	SightingsOfBeacons(ctx context.Context, beacons []gocql.UUID, hour time.Time) ([][]api.Sighting, error)
}

var _ store = (*cassandraStore)(nil)

const (
	// maxBatch bounds one POST: large enough for a gateway that buffers a
	// few seconds of sightings, small enough to validate and write in one
	// request's time.
	maxBatch = 500
	// maxSightingsBody fits maxBatch sightings with long names.
	maxSightingsBody = 512 << 10
	// maxUserName is in characters.
	maxUserName = 200
	// maxStreamBeacons bounds the beaconId filter of one event stream.
	maxStreamBeacons = 256
	// sightingEvent is the SSE event name of a new sighting.
	sightingEvent = "sighting"
)

// sightingsInHour answers GET /tracking/beacons/{beaconId}/{epochSeconds}:
// the sightings of the beacon in the UTC clock hour containing epochSeconds,
// newest first. A beacon nobody was seen by — including an id that no beacon
// has, which tracking-service cannot know about since beacons live in
// another service — is an empty list, not a 404.
func sightingsInHour(s store) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		vars := mux.Vars(r)
		beacon, err := validate.UUID("beaconId", vars["beaconId"])
		if err != nil {
			return err
		}
		at, err := validate.EpochSeconds("epochSeconds", vars["epochSeconds"])
		if err != nil {
			return err
		}
		sightings, err := s.SightingsInHour(r.Context(), beacon, api.HourBucket(at))
		if err != nil {
			return storeerr.HTTP(err)
		}
		return httpx.WriteJSON(w, http.StatusOK, sightings)
	}
}

// sightingRequest is one sighting as posted. Fields are strings (not
// gocql.UUID / time.Time) so that validation is strict and its messages
// name the field and the element.
type sightingRequest struct {
	BeaconID   *string `json:"beaconId"`
	TimeLogged *string `json:"timeLogged"`
	UserID     *string `json:"userId"`
	Name       *string `json:"name"`
}

// element says where a sighting was in the body: its index in an array, or
// noElement for a lone object. Field names in errors are prefixed with it
// ("sightings[3].beaconId"), built only when a check fails.
type element int

const noElement element = -1

func (e element) String() string {
	if e == noElement {
		return ""
	}
	return fmt.Sprintf("sightings[%d].", int(e))
}

// parse validates one sighting; field names in errors are prefixed with
// where (see element).
func (req sightingRequest) parse(where element, now time.Time) (api.Sighting, error) {
	var sg api.Sighting
	for _, f := range []struct {
		name  string
		value *string
	}{{"beaconId", req.BeaconID}, {"userId", req.UserID}, {"name", req.Name}} {
		if f.value == nil {
			return sg, httpx.BadRequest("%s%s is required", where, f.name)
		}
	}
	var err error
	if sg.BeaconID, err = check(where, "beaconId", *req.BeaconID, validate.UUID); err != nil {
		return sg, err
	}
	if sg.UserID, err = check(where, "userId", *req.UserID, validate.UUID); err != nil {
		return sg, err
	}
	if sg.Name, err = check(where, "name", *req.Name, validateUserName); err != nil {
		return sg, err
	}
	sg.TimeLogged = now
	if req.TimeLogged != nil {
		if sg.TimeLogged, err = check(where, "timeLogged", *req.TimeLogged, validate.Time); err != nil {
			return sg, err
		}
	}
	return sg, nil
}

// check runs a validator under the bare field name and, only when it
// fails, again under where+name for the message: building "sightings[i].x"
// for every field of every element was most of a batch's allocations.
// The validators are pure, so the second run fails the same way.
func check[T any](where element, name, value string, valid func(field, s string) (T, error)) (T, error) {
	v, err := valid(name, value)
	if err != nil && where != noElement {
		_, err = valid(where.String()+name, value)
	}
	return v, err
}

func validateUserName(field, s string) (string, error) {
	return validate.Name(field, s, maxUserName)
}

// recordedBody is the answer to POST /tracking/sightings.
type recordedBody struct {
	Count int `json:"count"`
}

// recordSightings answers POST /tracking/sightings. The body is one sighting
// object or an array of at most maxBatch. Every element is validated before
// anything is written, so a bad element rejects the whole request and
// changes nothing. timeLogged is optional (default: now) and kept to the
// millisecond, Cassandra's precision. Writes are upserts keyed by (beacon,
// time, user), so retrying a request is safe. The answer, 201 {"count": n},
// comes only after the store acknowledged every row; only then are the
// sightings published to event-stream subscribers, so a subscriber never
// hears of a sighting that was not stored.
func recordSightings(s store, events *sse.Broker, now func() time.Time) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		reqs, batch, err := decodeSightings(r)
		if err != nil {
			return err
		}
		t := now().UTC().Truncate(time.Millisecond)
		sightings := make([]api.Sighting, len(reqs))
		for i, req := range reqs {
			where := noElement
			if batch {
				where = element(i)
			}
			if sightings[i], err = req.parse(where, t); err != nil {
				return err
			}
		}
		if err := s.RecordSightings(r.Context(), sightings); err != nil {
			return storeerr.HTTP(err)
		}
		publish(r.Context(), events, sightings)
		return httpx.WriteJSON(w, http.StatusCreated, recordedBody{Count: len(sightings)})
	}
}

// publish offers stored sightings to event-stream subscribers, keyed by
// beacon. Duplicates (same beacon, time and user) are published once, with
// the last one's name, as the store keeps the last one.
func publish(ctx context.Context, events *sse.Broker, sightings []api.Sighting) {
	if events.Stats().Subscribers == 0 {
		return // nobody listens: not even the duplicate check is needed
	}
	type key struct {
		beacon, user gocql.UUID
		t            time.Time
	}
	last := make(map[key]int, len(sightings))
	for i, sg := range sightings {
		last[key{sg.BeaconID, sg.UserID, sg.TimeLogged}] = i
	}
	for i, sg := range sightings {
		if last[key{sg.BeaconID, sg.UserID, sg.TimeLogged}] != i {
			continue
		}
		if !events.Wants(sg.BeaconID.String()) {
			continue // nobody listens: skip the JSON encoding (see docs/BENCHMARKS.md)
		}
		data, err := json.Marshal(sg)
		if err == nil {
			_, err = events.Publish(sg.BeaconID.String(), sse.Event{Event: sightingEvent, Data: string(data)})
		}
		if err != nil {
			// Cannot happen for api.Sighting; logged rather than failing a
			// write that is already stored.
			httpx.LoggerFrom(ctx).Error("publish sighting", "error", err)
		}
	}
}

// streamConfig tunes GET /tracking/events.
type streamConfig struct {
	sse.StreamConfig
	// MaxStreams bounds concurrent event streams; more get 503.
	MaxStreams int
}

// sightingEvents answers GET /tracking/events: a server-sent event stream
// of sightings stored from now on (event "sighting", data an api.Sighting).
// ?beaconId=... (repeated, or comma-separated) limits it to those beacons;
// without it every sighting is sent. Heartbeat comments keep idle streams
// open through proxies; a subscriber that falls too far behind is dropped
// and should reconnect. Only sightings written through this instance are
// seen: with several replicas, a subscriber sees its replica's writes.
func sightingEvents(events *sse.Broker, cfg streamConfig) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		filter, err := beaconFilter(r.URL.Query()["beaconId"])
		if err != nil {
			return err
		}
		if cfg.MaxStreams > 0 && events.Stats().Subscribers >= cfg.MaxStreams {
			w.Header().Set("Retry-After", "5")
			return httpx.Errorf(http.StatusServiceUnavailable, "too many event streams, retry later")
		}
		// The stream's errors are its client going away mid-write; the
		// status is long sent, so there is nothing to answer.
		_ = events.Serve(w, r, filter, cfg.StreamConfig)
		return nil
	}
}

// beaconFilter builds the stream filter from the beaconId query values
// (parseBeaconIDs, at most maxStreamBeacons).
func beaconFilter(values []string) (func(string) bool, error) {
	list, err := parseBeaconIDs(values, maxStreamBeacons)
	if err != nil || len(list) == 0 {
		return nil, err // no filter: every sighting
	}
	ids := make(map[string]bool, len(list))
	for _, id := range list {
		ids[id.String()] = true
	}
	return func(key string) bool { return ids[key] }, nil
}
