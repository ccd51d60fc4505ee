package main

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/gocql/gocql"

	"github.com/find-peers/find-peers/libs/api"
	"github.com/find-peers/find-peers/libs/httpx"
	"github.com/find-peers/find-peers/libs/sse"
)

// A live stream's sightings carry their timeLogged as the event id, so a
// client that reconnects (EventSource does it by itself) sends the last one
// back as Last-Event-ID, and the stream starts with the sightings it missed,
// read from tracking's stored hours. At least once: a sighting may come
// twice (it is the same upsert, and the page shows one row a person).

// maxResume bounds how far back a resumed stream is filled in: a client
// away for longer reloads the hour instead.
const maxResume = 2 * time.Hour

// eventID is a sighting's live event id: its timeLogged.
func eventID(u api.UserAtLocation) string { return u.TimeLogged.UTC().Format(time.RFC3339Nano) }

// resumePoint reads a Last-Event-ID; ok is false for none, one that is not
// ours, one in the future or one older than maxResume.
func resumePoint(lastEventID string, now time.Time) (since time.Time, ok bool) {
	t, err := time.Parse(time.RFC3339Nano, lastEventID)
	if err != nil || t.After(now) || now.Sub(t) > maxResume {
		return time.Time{}, false
	}
	return t, true
}

// missedSince returns the sightings at the location (its beacons, as the
// stream listed them) logged after since, in time order, reading each UTC
// clock hour from since's to now's (at most three) with the list endpoint's
// fan-out.
func missedSince(ctx context.Context, up *Upstreams, limit int, location gocql.UUID, beacons []api.Beacon, since, now time.Time) ([]api.UserAtLocation, error) {
	type key struct {
		user gocql.UUID
		at   time.Time
	}
	seen := map[key]bool{}
	var out []api.UserAtLocation
	for h := since.Truncate(time.Hour); !h.After(now); h = h.Add(time.Hour) {
		users, err := usersAt(ctx, up, limit, location, beacons, h.Unix())
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			k := key{u.UserID, u.TimeLogged.UTC()}
			if u.TimeLogged.After(since) && !seen[k] {
				seen[k] = true
				out = append(out, u)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b api.UserAtLocation) int { return a.TimeLogged.Compare(b.TimeLogged) })
	return out, nil
}

// resume writes the sightings missed since since to sw; false when the
// client is gone. A failure to read them is logged and the stream goes on
// live: the client can still reload the hour.
func resume(ctx context.Context, sw *sse.Writer, up *Upstreams, limit int, location gocql.UUID, beacons []api.Beacon, since time.Time) bool {
	missed, err := missedSince(ctx, up, limit, location, beacons, since, time.Now())
	if err != nil {
		httpx.LoggerFrom(ctx).LogAttrs(ctx, slog.LevelWarn, "filling in a resumed live stream failed",
			slog.String("since", since.Format(time.RFC3339Nano)), slog.String("error", err.Error()))
		return true
	}
	for _, u := range missed {
		f, err := liveItem{user: u}.frame()
		if err != nil || sw.Write(f) != nil {
			return false
		}
	}
	return true
}
