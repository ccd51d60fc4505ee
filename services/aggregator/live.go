package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"time"

	"github.com/gocql/gocql"

	"github.com/find-peers/find-peers/libs/api"
	"github.com/find-peers/find-peers/libs/httpx"
	"github.com/find-peers/find-peers/libs/sse"
)

// liveConfig tunes GET /aggregator/locations/{locationId}/live.
type liveConfig struct {
	Heartbeat  time.Duration // comment line sent when idle, keeps proxies from timing out
	BackoffMin time.Duration // first reconnect delay after the upstream stream breaks
	BackoffMax time.Duration // cap of the doubling reconnect delay
	Buffer     int           // sightings queued between upstream reader and client writer
	// WriteTimeout bounds each write to the client; one that stops reading
	// is cut off after it (the server-wide write timeout does not apply).
	WriteTimeout time.Duration
}

// withDefaults fills in what sse.Start and sse.Pump do not default
// (Heartbeat and WriteTimeout: 15s and 10s).
func (c liveConfig) withDefaults() liveConfig {
	if c.BackoffMin <= 0 {
		c.BackoffMin = 250 * time.Millisecond
	}
	if c.BackoffMax < c.BackoffMin {
		c.BackoffMax = max(10*time.Second, c.BackoffMin)
	}
	if c.Buffer <= 0 {
		c.Buffer = 64
	}
	return c
}

// trackingEventsURL is tracking-service's event stream filtered to the given
// beacons (?beaconId=... repeated), so the upstream only sends what we need.
func trackingEventsURL(base *url.URL, beacons []api.Beacon) string {
	u := base.JoinPath("/tracking/events")
	q := url.Values{}
	for _, b := range beacons {
		q.Add("beaconId", b.BeaconID.String())
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// followTracking subscribes to tracking-service's event stream for the given
// beacons and sends each sighting of one of them, as a UserAtLocation, to out.
// When the stream cannot be opened or breaks it reconnects after an
// exponentially growing, jittered delay capped at BackoffMax; the delay
// resets once a stream opens. It returns when ctx is done. status, if not
// nil, is told about each (re)connection attempt's outcome.
func followTracking(ctx context.Context, up *Upstreams, beacons []api.Beacon, cfg liveConfig,
	out chan<- api.UserAtLocation, status func(connected bool, err error)) {
	names := make(map[gocql.UUID]string, len(beacons))
	for _, b := range beacons {
		names[b.BeaconID] = b.BeaconName
	}
	target := trackingEventsURL(up.Tracking, beacons)
	logger := httpx.LoggerFrom(ctx)
	backoff := cfg.BackoffMin
	lastID := ""
	for {
		opened, err := streamOnce(ctx, up.HTTP, target, &lastID, func(s api.Sighting) error {
			name, ok := names[s.BeaconID]
			if !ok {
				return nil // not at this location: the filter is also enforced here
			}
			select {
			case out <- api.UserAtLocation{UserID: s.UserID, Name: s.Name, TimeLogged: s.TimeLogged.UTC(), BeaconName: name}:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}, func() {
			if status != nil {
				status(true, nil)
			}
		})
		if ctx.Err() != nil {
			return
		}
		if opened {
			backoff = cfg.BackoffMin
		}
		if status != nil {
			status(false, err)
		}
		// Full jitter on the upper half: many live clients whose streams broke
		// together (tracking restarted) do not reconnect in lockstep.
		delay := backoff/2 + rand.N(backoff/2+1)
		logger.LogAttrs(ctx, slog.LevelWarn, "tracking event stream broke; reconnecting",
			slog.String("url", target), slog.String("error", fmt.Sprint(err)), slog.Duration("delay", delay))
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		backoff = min(backoff*2, cfg.BackoffMax)
	}
}

// streamOnce opens one upstream stream and feeds its sightings to handle until
// it ends. opened reports whether the upstream accepted the subscription.
func streamOnce(ctx context.Context, client *http.Client, target string, lastID *string,
	handle func(api.Sighting) error, onOpen func()) (opened bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return false, fmt.Errorf("building request for %s: %w", target, err)
	}
	req.Header.Set("Accept", "text/event-stream")
	if *lastID != "" {
		// Lets an upstream that keeps a replay window fill the gap.
		req.Header.Set("Last-Event-ID", *lastID)
	}
	resp, err := client.Do(req)
	if err != nil {
		return false, fmt.Errorf("subscribing to %s: %w", target, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return false, fmt.Errorf("subscribing to %s: status %d", target, resp.StatusCode)
	}
	onOpen()
	rd := sse.NewReader(resp.Body)
	for {
		ev, err := rd.Next()
		if err != nil {
			*lastID = rd.LastEventID()
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				err = errors.New("upstream ended the stream")
			}
			return true, fmt.Errorf("reading %s: %w", target, err)
		}
		*lastID = ev.ID
		if ev.Event != "message" && ev.Event != "sighting" {
			continue // other event kinds are not sightings
		}
		var s api.Sighting
		if err := json.Unmarshal([]byte(ev.Data), &s); err != nil {
			httpx.LoggerFrom(ctx).LogAttrs(ctx, slog.LevelWarn, "skipping undecodable tracking event",
				slog.String("data", truncate(ev.Data, 200)), slog.String("error", err.Error()))
			continue
		}
		if err := handle(s); err != nil {
			return true, err
		}
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
