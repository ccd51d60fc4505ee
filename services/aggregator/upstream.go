package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gocql/gocql"

	"github.com/find-peers/find-peers/libs/api"
	"github.com/find-peers/find-peers/libs/balance"
	"github.com/find-peers/find-peers/libs/httpx"
)

// maxUpstreamBody bounds how much of an upstream answer we read: a broken
// upstream must not exhaust memory. A tracking call answers for up to
// TrackingBatch beacons' hours, about 100 bytes of JSON a sighting: 16 MiB
// holds some 160 000 of them, more than tracking answers in one request
// (100 000, its maxRowsPerRequest) with typical names.
const maxUpstreamBody = 16 << 20

// defaultTrackingBatch is the most beacons one GET /tracking/sightings may
// ask for (tracking's maxQueryBeacons is the same constant).
const defaultTrackingBatch = api.MaxSightingsQueryBeacons

// Upstreams calls beacon-service and tracking-service. Base URLs carry scheme
// and host only (e.g. http://beacon:8080); paths are the API contract's.
type Upstreams struct {
	Beacon   *url.URL
	Tracking *url.URL
	// TrackingEvents is the base URL of tracking's event streams, whose host
	// name stands for every tracking replica (replicas.go); nil: Tracking.
	TrackingEvents *url.URL
	// ResolveTracking finds the replicas behind TrackingEvents' host; nil:
	// the system's DNS resolver, uncached.
	ResolveTracking balance.Resolver
	// HTTP sends the JSON calls (and readiness pings), balanced over the
	// replicas behind each name (balance.Transport). It should forward
	// request ids (httpx.NewClient) and have no overall timeout: per-call
	// deadlines come from CallTimeout.
	HTTP *http.Client
	// Streams follows the live streams, each on the replica it was
	// addressed to: not balanced, and with no overall timeout either (a
	// stream is bounded by its request context only); nil: HTTP.
	Streams *http.Client
	// CallTimeout bounds each single JSON call (not streams); 0 = none.
	CallTimeout time.Duration
	// TrackingBatch is the most beacons asked for in one tracking call;
	// 0: defaultTrackingBatch (tracking's own maximum). Tests make it small.
	TrackingBatch int
}

func (u *Upstreams) trackingBatch() int {
	if u.TrackingBatch > 0 {
		return u.TrackingBatch
	}
	return defaultTrackingBatch
}

func (u *Upstreams) trackingEvents() *url.URL {
	if u.TrackingEvents != nil {
		return u.TrackingEvents
	}
	return u.Tracking
}

func (u *Upstreams) resolveTracking() balance.Resolver {
	if u.ResolveTracking != nil {
		return u.ResolveTracking
	}
	return balance.DNS(net.DefaultResolver)
}

func (u *Upstreams) streams() *http.Client {
	if u.Streams != nil {
		return u.Streams
	}
	return u.HTTP
}

// failureKind says how an upstream call failed; it decides the status the
// aggregator answers with (see toHTTPError).
type failureKind int

const (
	failUnreachable failureKind = iota // dial/DNS failure: the service is down
	failTimeout                        // no answer within the call timeout
	failStatus                         // answered with an unexpected status
	failTransport                      // connection broke mid-call (reset, EOF, TLS...)
	failBody                           // answered 200 with a body we cannot decode
	failCanceled                       // our caller went away (or a sibling failed)
)

func (k failureKind) String() string {
	switch k {
	case failUnreachable:
		return "unreachable"
	case failTimeout:
		return "timeout"
	case failStatus:
		return "bad status"
	case failBody:
		return "bad body"
	case failTransport:
		return "connection error"
	default:
		return "canceled"
	}
}

// UpstreamError is a failed call to beacon-service or tracking-service.
type UpstreamError struct {
	Service string // "beacon-service" or "tracking-service"
	URL     string
	Kind    failureKind
	Status  int    // for failStatus
	Detail  string // upstream's {"error"} message, if any
	Err     error
}

func (e *UpstreamError) Error() string {
	switch e.Kind {
	case failStatus:
		if e.Detail != "" {
			return fmt.Sprintf("%s: GET %s: status %d: %s", e.Service, e.URL, e.Status, e.Detail)
		}
		return fmt.Sprintf("%s: GET %s: status %d", e.Service, e.URL, e.Status)
	default:
		return fmt.Sprintf("%s: GET %s: %s: %v", e.Service, e.URL, e.Kind, e.Err)
	}
}

func (e *UpstreamError) Unwrap() error { return e.Err }

// short is the client-facing description: kind and status, no internal URLs.
func (e *UpstreamError) short() string {
	if e.Kind == failStatus {
		return fmt.Sprintf("status %d", e.Status)
	}
	return e.Kind.String()
}

// BeaconsAt returns the beacons at a location, as beacon-service lists them.
func (u *Upstreams) BeaconsAt(ctx context.Context, location gocql.UUID) ([]api.Beacon, error) {
	var beacons []api.Beacon
	err := u.getJSON(ctx, "beacon-service", u.Beacon, "/beacons/locations/"+location.String(), &beacons)
	return beacons, err
}

// SightingsOf returns the sightings of beacons (distinct, at most
// TrackingBatch) in the hour containing epoch, in one call to tracking's
// GET /tracking/sightings: out[i] belongs to beacons[i], newest first as
// tracking keeps them. A sighting of a beacon not asked for makes the answer
// a bad body: it cannot be placed, and dropping it would hide a bug.
func (u *Upstreams) SightingsOf(ctx context.Context, beacons []gocql.UUID, epoch int64) ([][]api.Sighting, error) {
	// Comma-separated ids keep the URL short (about 37 bytes a beacon, 3.7 KB
	// for 100), well under the servers' header limit (64 KiB, httpx).
	var q strings.Builder
	q.WriteString("epochSeconds=" + strconv.FormatInt(epoch, 10) + "&beaconId=")
	index := make(map[gocql.UUID]int, len(beacons))
	for i, b := range beacons {
		if i > 0 {
			q.WriteByte(',')
		}
		q.WriteString(b.String())
		index[b] = i
	}
	var sightings []api.Sighting
	if err := u.getJSON(ctx, "tracking-service", u.Tracking, "/tracking/sightings?"+q.String(), &sightings); err != nil {
		return nil, err
	}
	// Tracking groups the answer per beacon: each run of one beacon's
	// sightings is handed out as a slice of the decoded answer, not copied
	// sighting by sighting.
	out := make([][]api.Sighting, len(beacons))
	if b, ok := api.GroupByBeacon(sightings, index, out); !ok {
		return nil, &UpstreamError{Service: "tracking-service", URL: u.Tracking.JoinPath("/tracking/sightings").String(), Kind: failBody,
			Err: fmt.Errorf("answer has a sighting of beacon %s, which was not asked for", b)}
	}
	return out, nil
}

func (u *Upstreams) getJSON(ctx context.Context, service string, base *url.URL, path string, dst any) error {
	if u.CallTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, u.CallTimeout)
		defer cancel()
	}
	// path may carry a query, which JoinPath would escape.
	p, query, _ := strings.Cut(path, "?")
	target := base.JoinPath(p).String()
	if query != "" {
		target += "?" + query
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return fmt.Errorf("%s: building request for %s: %w", service, target, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := u.HTTP.Do(req)
	if err != nil {
		return &UpstreamError{Service: service, URL: target, Kind: classify(ctx, err), Err: err}
	}
	defer resp.Body.Close()
	body := io.LimitReader(resp.Body, maxUpstreamBody)
	if resp.StatusCode != http.StatusOK {
		var e api.Error
		_ = json.NewDecoder(body).Decode(&e)
		return &UpstreamError{Service: service, URL: target, Kind: failStatus, Status: resp.StatusCode, Detail: e.Error}
	}
	if err := decodeAnswer(body, resp.ContentLength, dst); err != nil {
		kind := failBody
		if ctx.Err() != nil {
			// The deadline can strike while the body is still arriving.
			kind = classify(ctx, err)
		}
		return &UpstreamError{Service: service, URL: target, Kind: kind, Err: fmt.Errorf("decoding answer: %w", err)}
	}
	return nil
}

// decodeAnswer reads an upstream's answer of size bytes (-1: unknown) into
// dst: tracking's sightings, the bulk of what the aggregator reads, read
// whole into a buffer of the announced size and decoded with
// api.UnmarshalSightings (a decoder for the form tracking writes, about 3x
// faster; it copies what it keeps, so the buffer is reused); the rest with
// api.Unmarshal. Both give the same values and errors.
func decodeAnswer(r io.Reader, size int64, dst any) error {
	ss, ok := dst.(*[]api.Sighting)
	if !ok {
		return api.Unmarshal(r, dst)
	}
	return httpx.ReadPooled(r, size, maxUpstreamBody, func(body []byte) (err error) {
		*ss, err = api.UnmarshalSightings(body)
		return err
	})
}

// classify tells a dead upstream (dial/DNS errors) from a slow one (deadline)
// from a cancellation by our own caller, which must not be blamed on anyone.
// A connect that ran into the dialer's own timeout (-dial-timeout) while the
// call still had time is a dead address, not a slow answer.
func classify(ctx context.Context, err error) failureKind {
	switch {
	case errors.Is(ctx.Err(), context.Canceled) || errors.Is(err, context.Canceled):
		return failCanceled
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return failTimeout
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return failUnreachable
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return failUnreachable
	}
	var netErr net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &netErr) && netErr.Timeout() {
		return failTimeout
	}
	return failTransport
}
