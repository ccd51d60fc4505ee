package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gocql/gocql"

	"github.com/find-peers/find-peers/libs/api"
	"github.com/find-peers/find-peers/libs/sse"
)

func TestResumePoint(t *testing.T) {
	now := time.Date(2026, 12, 1, 18, 30, 0, 0, time.UTC)
	for id, want := range map[string]bool{
		"":                               false,
		"42":                             false, // another server's numbering
		"2026-12-01T18:20:00.123456789Z": true,
		"2026-12-01T16:31:00Z":           true,  // within two hours
		"2026-12-01T16:29:00Z":           false, // older: reload instead
		"2026-12-01T18:31:00Z":           false, // the future
		"2026-12-01T18:20:00+01:00":      true,  // 17:20Z: an offset is a time like any other
		"not a time\nwith a line break":  false,
	} {
		if _, ok := resumePoint(id, now); ok != want {
			t.Errorf("resumePoint(%q) ok=%v, want %v", id, ok, want)
		}
	}
}

// A client that reconnects with the id of the last sighting it got first
// receives those logged after it, oldest first, each with its time as id.
func TestLiveResumesFromLastEventID(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Millisecond)
	beacon := mustUUID(t, bedRoomBeacon)
	at := func(ago time.Duration, name string) api.Sighting {
		return api.Sighting{BeaconID: beacon, TimeLogged: now.Add(-ago), UserID: gocql.TimeUUID(), Name: name}
	}
	ft := &fakeTracking{byBeacon: map[string][]api.Sighting{bedRoomBeacon: {
		at(30*time.Minute, "Seen Before"), at(2*time.Minute, "Missed First"), at(time.Minute, "Missed Second"),
	}}}
	tr := httptest.NewServer(ft)
	defer tr.Close()
	b := httptest.NewServer(seedBeacons(t))
	defer b.Close()
	agg := startAggregator(t, b.URL, tr.URL, time.Second, testOptions())

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, agg.URL+"/aggregator/locations/"+bedRoom+"/live", nil)
	req.Header.Set("Last-Event-ID", now.Add(-10*time.Minute).Format(time.RFC3339Nano))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	rd := sse.NewReader(resp.Body)
	var got []string
	for len(got) < 2 {
		ev, err := rd.Next()
		if err != nil {
			t.Fatalf("after %v: %v", got, err)
		}
		if ev.Event != "message" {
			continue
		}
		var u api.UserAtLocation
		if err := json.Unmarshal([]byte(ev.Data), &u); err != nil {
			t.Fatal(err)
		}
		if ev.ID != u.TimeLogged.UTC().Format(time.RFC3339Nano) {
			t.Errorf("event id %q, want its timeLogged %s", ev.ID, u.TimeLogged)
		}
		got = append(got, u.Name)
	}
	if got[0] != "Missed First" || got[1] != "Missed Second" {
		t.Fatalf("resumed with %v, want the two missed sightings in time order", got)
	}
}
