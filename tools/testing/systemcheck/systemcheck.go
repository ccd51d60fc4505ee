// Package systemcheck holds the checks that the end-to-end tests of a
// deployed system (tools/testing/compose-e2e, tools/testing/k8s-e2e) make
// through the gateway, as a user's client would: the seed data's answers, a
// write read back, and the live stream. It speaks the API's JSON, not the
// services' Go types, so it tests the contract.
package systemcheck

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"
)

// The seed data (services/beacon and services/tracking seed.go).
const (
	BedRoomLocation = "ce519f95-923c-4532-879e-cd19afa8dda8"
	BedRoomBeacon   = "5bf966d9-8046-4fc1-ae5a-80c923ebea5a"
	SeedHour        = int64(1473156000)
)

// UserAtLocation is an element of the aggregator's answers and live events.
type UserAtLocation struct {
	UserID     string    `json:"userId"`
	Name       string    `json:"name"`
	TimeLogged time.Time `json:"timeLogged"`
	BeaconName string    `json:"beaconName"`
}

// Sighting is a tracking record as POST /tracking/sightings takes it.
type Sighting struct {
	BeaconID   string    `json:"beaconId"`
	TimeLogged time.Time `json:"timeLogged"`
	UserID     string    `json:"userId"`
	Name       string    `json:"name"`
}

// Gateway is the system as its users reach it.
type Gateway struct {
	URL  string       // e.g. http://127.0.0.1:9000
	HTTP *http.Client // with a timeout; streams use their context only
	// Token is a write API key (tools/apikey) that Post sends as a bearer
	// token; reads are sent without one (the gateway's reads are open by
	// default).
	Token string
}

// GetJSON decodes the 200 answer of GET path into v.
func (g Gateway) GetJSON(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, g.URL+path, nil)
	if err != nil {
		return err
	}
	resp, err := g.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	// A body cut short (the caller's context ended after the headers, a
	// connection reset) is that error, not a bad answer: it must stay
	// visible, e.g. as context.Canceled to a load that stopped itself.
	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return fmt.Errorf("GET %s: %d, reading the body: %w", path, resp.StatusCode, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("GET %s: %w (body %.200q)", path, err, b)
	}
	return nil
}

// Post sends one sighting and returns the status and body. The write is an
// idempotent upsert (docs/ARCHITECTURE.md), which the Idempotency-Key
// header tells Go's transport: a request that meets a keep-alive connection
// the server is just closing is sent again instead of failing.
func (g Gateway) Post(ctx context.Context, s Sighting) (int, []byte, error) {
	body, err := json.Marshal(s)
	if err != nil {
		return 0, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.URL+"/tracking/sightings", bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", s.UserID)
	if g.Token != "" {
		req.Header.Set("Authorization", "Bearer "+g.Token)
	}
	resp, err := g.HTTP.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	// A body cut short returns the status with the error: the write's
	// answer was not read whole, so it does not count as acknowledged.
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return resp.StatusCode, b, fmt.Errorf("POST /tracking/sightings: %d, reading the body: %w", resp.StatusCode, err)
	}
	return resp.StatusCode, b, nil
}

// SeedHour checks the brief's first question: who was in the bed room at
// 2016-09-06T10:00:00Z (the three Erupakas). It returns their names.
func (g Gateway) SeedHour(ctx context.Context) ([]string, error) {
	var got []UserAtLocation
	if err := g.GetJSON(ctx, fmt.Sprintf("/aggregator/locations/%s/%d", BedRoomLocation, SeedHour), &got); err != nil {
		return nil, err
	}
	var names []string
	for _, u := range got {
		if u.BeaconName != "Bed Room Beacon" {
			return nil, fmt.Errorf("beaconName %q, want 'Bed Room Beacon' (%v)", u.BeaconName, got)
		}
		if !u.TimeLogged.Equal(time.Unix(SeedHour, 0)) {
			return nil, fmt.Errorf("timeLogged %s, want 2016-09-06T10:00:00Z", u.TimeLogged)
		}
		names = append(names, u.Name)
	}
	sort.Strings(names)
	want := []string{"Avinash Erupaka", "Bhargavi Erupaka", "Shobha Erupaka"}
	if strings.Join(names, ",") != strings.Join(want, ",") {
		return nil, fmt.Errorf("users %q, want %q", names, want)
	}
	return names, nil
}

// HourLaterEmpty checks that an hour after the seed hour nobody was there:
// an empty JSON array, not null.
func (g Gateway) HourLaterEmpty(ctx context.Context) error {
	var got []UserAtLocation
	if err := g.GetJSON(ctx, fmt.Sprintf("/aggregator/locations/%s/%d", BedRoomLocation, SeedHour+3600), &got); err != nil {
		return err
	}
	if got == nil || len(got) != 0 {
		return fmt.Errorf("want [], got %v", got)
	}
	return nil
}

// Missing returns the sightings of want that GET /tracking/beacons/... does
// not return, reading each hour once.
func (g Gateway) Missing(ctx context.Context, want []Sighting) ([]Sighting, error) {
	type key struct{ beacon, user string }
	hours := map[string]map[int64][]Sighting{}
	for _, s := range want {
		h := s.TimeLogged.Unix() / 3600 * 3600
		if hours[s.BeaconID] == nil {
			hours[s.BeaconID] = map[int64][]Sighting{}
		}
		hours[s.BeaconID][h] = append(hours[s.BeaconID][h], s)
	}
	var missing []Sighting
	for beacon, byHour := range hours {
		for h, ss := range byHour {
			var got []Sighting
			if err := g.GetJSON(ctx, fmt.Sprintf("/tracking/beacons/%s/%d", beacon, h), &got); err != nil {
				return nil, err
			}
			have := map[key]time.Time{}
			for _, s := range got {
				have[key{s.BeaconID, s.UserID}] = s.TimeLogged
			}
			for _, s := range ss {
				if t, ok := have[key{s.BeaconID, s.UserID}]; !ok || !t.Equal(s.TimeLogged) {
					missing = append(missing, s)
				}
			}
		}
	}
	return missing, nil
}

// NewSighting is a sighting of a fresh user at the bed room beacon, now
// (whole seconds: the API keeps milliseconds, the check compares exactly).
func NewSighting(name string) Sighting {
	return Sighting{BeaconID: BedRoomBeacon, TimeLogged: time.Now().UTC().Truncate(time.Second), UserID: NewUUID(), Name: name}
}

// NewUUID returns a random (version 4) UUID.
func NewUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := fmt.Sprintf("%x", b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
