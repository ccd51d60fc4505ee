package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/gocql/gocql"
	"golang.org/x/sync/errgroup"

	"github.com/find-peers/find-peers/libs/api"
)

// fetchFunc loads the sightings of one chunk of beacons in one tracking
// call, out[i] for chunk[i]; Upstreams.SightingsOf with the epoch bound, or
// a fake in tests.
type fetchFunc func(ctx context.Context, chunk []gocql.UUID) ([][]api.Sighting, error)

// chunkFailure is one tracking call, for a chunk of beacons, that failed on
// its own account. A call answers for all its beacons at once, so all of
// them are named.
type chunkFailure struct {
	BeaconIDs []gocql.UUID
	Err       error
}

// TrackingError reports that the fan-out could not be completed. The
// aggregator never answers with a partial list: a location's answer missing
// one beacon's users would look complete and be wrong.
type TrackingError struct {
	Failed []chunkFailure // in beacon order; the calls that actually failed
	// Canceled counts calls abandoned because another one had already
	// failed (fail fast: the answer is a 502 either way).
	Canceled int
}

func (e *TrackingError) Error() string {
	parts := make([]string, len(e.Failed))
	for i, f := range e.Failed {
		parts[i] = fmt.Sprintf("beacon(s) %s: %v", joinIDs(f.BeaconIDs), f.Err)
	}
	return fmt.Sprintf("tracking-service failed for %d call(s) (%d call(s) canceled): %s",
		len(e.Failed), e.Canceled, strings.Join(parts, "; "))
}

// ClientMessage names the failing beacons without leaking internal URLs.
func (e *TrackingError) ClientMessage() string {
	parts := make([]string, len(e.Failed))
	for i, f := range e.Failed {
		why := "error"
		var ue *UpstreamError
		if errors.As(f.Err, &ue) {
			why = ue.short()
		}
		parts[i] = fmt.Sprintf("%s (%s)", joinIDs(f.BeaconIDs), why)
	}
	return "tracking-service failed for beacon(s): " + strings.Join(parts, ", ")
}

func joinIDs(ids []gocql.UUID) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = id.String()
	}
	return strings.Join(s, ", ")
}

// chunks splits beacons into runs of at most size, in order: one tracking
// call each (size is tracking-service's per-request maximum).
func chunks(beacons []gocql.UUID, size int) [][]gocql.UUID {
	size = max(size, 1)
	out := make([][]gocql.UUID, 0, (len(beacons)+size-1)/size)
	for start := 0; start < len(beacons); start += size {
		out = append(out, beacons[start:min(start+size, len(beacons)):min(start+size, len(beacons))])
	}
	return out
}

// fanOut fetches the beacons' sightings in chunks of at most chunkSize
// beacons, one call per chunk, at most limit calls at a time, and returns
// the answers in beacon order (results[i] for beacons[i]). The first
// failure cancels the calls still running or waiting (fail fast);
// cancellation of ctx (the client went away) stops everything and returns
// ctx's error.
func fanOut(ctx context.Context, beacons []gocql.UUID, chunkSize, limit int, fetch fetchFunc) ([][]api.Sighting, error) {
	if limit < 1 {
		limit = 1
	}
	calls := chunks(beacons, chunkSize)
	answers := make([][][]api.Sighting, len(calls))
	errs := make([]error, len(calls))

	// errs keeps every call's error (the group only its first): a failure
	// cancels callCtx, and the calls that then stop count as cancelled.
	g, callCtx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	for i := range calls {
		g.Go(func() error {
			if err := callCtx.Err(); err != nil {
				errs[i] = err
				return nil
			}
			answers[i], errs[i] = fetch(callCtx, calls[i])
			if errs[i] == nil && len(answers[i]) != len(calls[i]) {
				// A fetchFunc bug, not tracking's: still never a partial list.
				errs[i] = fmt.Errorf("%d answers for %d beacons", len(answers[i]), len(calls[i]))
			}
			return errs[i]
		})
	}
	_ = g.Wait() // the errors are in errs

	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("fan-out to tracking-service: %w", err)
	}
	var te TrackingError
	for i, err := range errs {
		switch {
		case err == nil:
		case isCanceled(err):
			te.Canceled++
		default:
			te.Failed = append(te.Failed, chunkFailure{BeaconIDs: calls[i], Err: err})
		}
	}
	if len(te.Failed) > 0 {
		return nil, &te
	}
	return slices.Concat(answers...), nil
}

func isCanceled(err error) bool {
	var ue *UpstreamError
	if errors.As(err, &ue) {
		return ue.Kind == failCanceled
	}
	return errors.Is(err, context.Canceled)
}

// merge flattens per-beacon sightings (results[i] belongs to beacons[i]) into
// the aggregator's answer, newest first. Ties (same second, e.g. seed data)
// are broken by beacon name, then user id, then name, so the same data always
// gives the same bytes: clients and caches can compare answers.
func merge(beacons []api.Beacon, results [][]api.Sighting) []api.UserAtLocation {
	n := 0
	for _, r := range results {
		n += len(r)
	}
	out := make([]api.UserAtLocation, 0, n)
	for i, r := range results {
		for _, s := range r {
			out = append(out, api.UserAtLocation{
				UserID:     s.UserID,
				Name:       s.Name,
				TimeLogged: s.TimeLogged.UTC(),
				BeaconName: beacons[i].BeaconName,
			})
		}
	}
	slices.SortFunc(out, compareUsers)
	return out
}

func compareUsers(a, b api.UserAtLocation) int {
	if c := b.TimeLogged.Compare(a.TimeLogged); c != 0 {
		return c // newest first
	}
	if c := cmp.Compare(a.BeaconName, b.BeaconName); c != 0 {
		return c
	}
	if c := bytes.Compare(a.UserID[:], b.UserID[:]); c != 0 {
		return c
	}
	return cmp.Compare(a.Name, b.Name)
}

// uniqueBeacons drops repeated beacon ids (a list should not have any, but a
// duplicate would double that beacon's users) and returns the ids to query.
func uniqueBeacons(beacons []api.Beacon) ([]api.Beacon, []gocql.UUID) {
	seen := make(map[gocql.UUID]bool, len(beacons))
	kept := beacons[:0:0]
	ids := make([]gocql.UUID, 0, len(beacons))
	for _, b := range beacons {
		if seen[b.BeaconID] {
			continue
		}
		seen[b.BeaconID] = true
		kept = append(kept, b)
		ids = append(ids, b.BeaconID)
	}
	return kept, ids
}
