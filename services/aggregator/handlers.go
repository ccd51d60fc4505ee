package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gocql/gocql"
	"github.com/gorilla/mux"

	"github.com/find-peers/find-peers/libs/api"
	"github.com/find-peers/find-peers/libs/httpx"
	"github.com/find-peers/find-peers/libs/sse"
	"github.com/find-peers/find-peers/libs/validate"
)

// Failure policy of GET /aggregator/locations/{locationId}/{epochSeconds}
// (also in openapi.yaml; tested in handlers_test.go):
//
//   - malformed locationId or epochSeconds: 400, before any upstream call;
//   - beacon-service unreachable (dial/DNS error): 503; no answer within the
//     call timeout: 504; answered 404: 404 (unknown location, passed on);
//     any other status, a broken connection or an undecodable body: 502;
//   - a location with no beacons: 200 with an empty list;
//   - any tracking-service call failing in any way: 502 naming the failing
//     beacon id(s), every beacon of the failing call, since one call answers
//     for a chunk of up to Upstreams.TrackingBatch beacons. The answer is
//     never a partial list, since a list missing one beacon's users would
//     look complete and be wrong. The first failure cancels the remaining
//     calls (fail fast), so the message names the beacons whose calls had
//     failed by then, not necessarily every broken one;
//   - the client going away cancels every upstream call in flight.

// parseLocation validates the {locationId} path segment with the same rule
// as beacon-service (canonical UUID), so both answer 400 for the same input.
func parseLocation(s string) (gocql.UUID, error) {
	return validate.UUID("locationId", s)
}

// parseEpoch validates the {epochSeconds} path segment with the same rule as
// tracking-service (digits only, 1970 to validate.MaxTime).
func parseEpoch(s string) (int64, error) {
	t, err := validate.EpochSeconds("epochSeconds", s)
	if err != nil {
		return 0, err
	}
	return t.Unix(), nil
}

// usersAtLocation is the whole aggregation: the location's beacons, then their
// sightings, one tracking call per chunk of up to Upstreams.TrackingBatch
// beacons (at most limit calls at once), merged.
func usersAtLocation(ctx context.Context, up *Upstreams, limit int, location gocql.UUID, epoch int64) ([]api.UserAtLocation, error) {
	beacons, err := up.BeaconsAt(ctx, location)
	if err != nil {
		return nil, fmt.Errorf("listing beacons at location %s: %w", location, err)
	}
	return usersAt(ctx, up, limit, location, beacons, epoch)
}

// usersAt is usersAtLocation for the location's beacons, already listed.
func usersAt(ctx context.Context, up *Upstreams, limit int, location gocql.UUID, beacons []api.Beacon, epoch int64) ([]api.UserAtLocation, error) {
	beacons, ids := uniqueBeacons(beacons)
	results, err := fanOut(ctx, ids, up.trackingBatch(), limit, func(ctx context.Context, chunk []gocql.UUID) ([][]api.Sighting, error) {
		return up.SightingsOf(ctx, chunk, epoch)
	})
	if err != nil {
		return nil, fmt.Errorf("location %s at %d: %w", location, epoch, err)
	}
	return merge(beacons, results), nil
}

// toHTTPError applies the failure policy above to an aggregation error.
func toHTTPError(location gocql.UUID, err error) error {
	var te *TrackingError
	if errors.As(err, &te) {
		return httpx.Wrap(http.StatusBadGateway, te.ClientMessage(), err)
	}
	var ue *UpstreamError
	if !errors.As(err, &ue) {
		return err // client cancellation or a bug: httpx maps it (499/504/500)
	}
	switch ue.Kind {
	case failUnreachable:
		return httpx.Wrap(http.StatusServiceUnavailable, ue.Service+" is unreachable", err)
	case failTimeout:
		return httpx.Wrap(http.StatusGatewayTimeout, ue.Service+" timed out", err)
	case failCanceled:
		return err
	case failStatus:
		if ue.Status == http.StatusNotFound {
			return httpx.Wrap(http.StatusNotFound, fmt.Sprintf("location %s not found", location), err)
		}
	}
	return httpx.Wrap(http.StatusBadGateway, ue.Service+" failed: "+ue.short(), err)
}

// handleUsersAt serves GET /aggregator/locations/{locationId}/{epochSeconds}.
func handleUsersAt(up *Upstreams, limit int) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		v := mux.Vars(r)
		location, err := parseLocation(v["locationId"])
		if err != nil {
			return err
		}
		epoch, err := parseEpoch(v["epochSeconds"])
		if err != nil {
			return err
		}
		users, err := usersAtLocation(r.Context(), up, limit, location, epoch)
		if err != nil {
			return toHTTPError(location, err)
		}
		return httpx.WriteJSON(w, http.StatusOK, users)
	}
}

// handleLive serves GET /aggregator/locations/{locationId}/live: a
// server-sent event stream of new sightings at the location, each an
// api.UserAtLocation as JSON in the data field of a default ("message")
// event (its id the sighting's time: a client that reconnects with
// Last-Event-ID first gets what it missed, resume.go), and a "status" event
// (liveState) whenever following tracking starts, breaks or recovers. The location's beacons are resolved once, when the client
// subscribes; errors up to then are JSON with the same policy as the list
// endpoint. The stream ends when the client disconnects or the server shuts
// down (httpx.ShuttingDown), since a graceful shutdown waits for handlers.
func handleLive(up *Upstreams, cfg liveConfig, limit int) httpx.HandlerFunc {
	cfg = cfg.withDefaults()
	return func(w http.ResponseWriter, r *http.Request) error {
		location, err := parseLocation(mux.Vars(r)["locationId"])
		if err != nil {
			return err
		}
		beacons, err := up.BeaconsAt(r.Context(), location)
		if err != nil {
			return toHTTPError(location, fmt.Errorf("listing beacons at location %s: %w", location, err))
		}
		beacons, _ = uniqueBeacons(beacons)

		sw, err := sse.Start(w, cfg.WriteTimeout, sse.Comment(fmt.Sprintf("location %s: %d beacon(s)", location, len(beacons))))
		if err != nil {
			return nil // the client is gone; the status is already sent
		}

		// Returning (client gone, server shutting down) stops the follower.
		ctx, cancel := context.WithCancel(r.Context())
		defer cancel()
		events := make(chan api.UserAtLocation, cfg.Buffer)
		items := make(chan liveItem)
		if len(beacons) > 0 {
			// Without beacons there is nothing to follow, and an unfiltered
			// subscription would receive every sighting everywhere.
			status, states := liveStatusSink()
			go followTracking(ctx, up, beacons, cfg, events, status)
			go mergeLive(ctx, events, states, items)
			// Followed first, then filled in: nothing falls between.
			if since, ok := resumePoint(r.Header.Get("Last-Event-ID"), time.Now()); ok {
				if !resume(ctx, sw, up, limit, location, beacons, since) {
					return nil
				}
			}
		}
		// Its errors are the client going away mid-write; the status is
		// long sent, so there is nothing left to answer.
		_ = sse.Pump(ctx, sw, items, liveItem.frame, cfg.Heartbeat)
		return nil
	}
}
