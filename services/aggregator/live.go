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
	Buffer     int           // sightings queued between upstream readers and client writer
	// WriteTimeout bounds each write to the client; one that stops reading
	// is cut off after it (the server-wide write timeout does not apply).
	WriteTimeout time.Duration
	// StreamIdle breaks an upstream stream silent for this long (tracking
	// sends a heartbeat every 15 s by default); 0: never.
	StreamIdle time.Duration
	// ResolveInterval is how often the tracking replicas are looked up again
	// (replicas.go).
	ResolveInterval time.Duration
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
	if c.ResolveInterval <= 0 {
		c.ResolveInterval = 5 * time.Second
	}
	return c
}

// trackingEventsURL is tracking-service's event stream filtered to the given
// beacons (?beaconId=... repeated), so the upstream only sends what we need.
func trackingEventsURL(base *url.URL, beacons []api.Beacon) *url.URL {
	u := base.JoinPath("/tracking/events")
	q := url.Values{}
	for _, b := range beacons {
		q.Add("beaconId", b.BeaconID.String())
	}
	u.RawQuery = q.Encode()
	return u
}

// sightingsTo returns the handler of one upstream sighting: one of the given
// beacons becomes a UserAtLocation on out, others are skipped.
func sightingsTo(ctx context.Context, out chan<- api.UserAtLocation, beacons []api.Beacon) func(api.Sighting) error {
	names := make(map[gocql.UUID]string, len(beacons))
	for _, b := range beacons {
		names[b.BeaconID] = b.BeaconName
	}
	return func(s api.Sighting) error {
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
	}
}

// stream is one replica's event stream: URL dials the replica's address,
// Host is the name the request is addressed to (the events URL's host).
// With https the certificate is checked against the address, so tracking's
// must name it; in the cluster and in compose the streams are plain http.
type stream struct {
	URL  string
	Host string
	// Idle breaks a stream on which nothing, not even tracking's heartbeat
	// comment, arrived for this long (0: never): a hung replica or a
	// silently dropped connection would otherwise stall the live view
	// without a word.
	Idle time.Duration
}

// followStream follows one tracking replica's event stream, feeding each
// sighting to handle. When the stream cannot be opened or breaks it
// reconnects after an exponentially growing, jittered delay capped at
// BackoffMax; the delay resets once a stream opens. Its Last-Event-ID is its
// own, since every replica numbers its events itself. It returns when ctx
// is done. report is told about each (re)connection attempt's outcome.
func followStream(ctx context.Context, client *http.Client, s stream, cfg liveConfig,
	handle func(api.Sighting) error, report func(connected bool, err error)) {
	logger := httpx.LoggerFrom(ctx)
	backoff := cfg.BackoffMin
	lastID := ""
	for {
		opened, err := streamOnce(ctx, client, s, &lastID, handle, func() { report(true, nil) })
		if ctx.Err() != nil {
			return
		}
		if opened {
			backoff = cfg.BackoffMin
		}
		report(false, err)
		// Full jitter on the upper half: many live clients whose streams broke
		// together (tracking restarted) do not reconnect in lockstep.
		delay := backoff/2 + rand.N(backoff/2+1)
		logger.LogAttrs(ctx, slog.LevelWarn, "tracking event stream broke; reconnecting",
			slog.String("url", s.URL), slog.String("error", fmt.Sprint(err)), slog.Duration("delay", delay))
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
func streamOnce(ctx context.Context, client *http.Client, s stream, lastID *string,
	handle func(api.Sighting) error, onOpen func()) (opened bool, err error) {
	target := s.URL
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return false, fmt.Errorf("building request for %s: %w", target, err)
	}
	req.Host = s.Host
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
	var body io.Reader = resp.Body
	if s.Idle > 0 {
		var stop func()
		body, stop = sse.IdleReader(resp.Body, s.Idle, cancel)
		defer stop()
	}
	rd := sse.NewReader(body)
	for {
		ev, err := rd.Next()
		if err != nil {
			*lastID = rd.LastEventID()
			switch {
			case errors.Is(context.Cause(ctx), sse.ErrIdle):
				err = context.Cause(ctx)
			case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
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
