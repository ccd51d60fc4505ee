package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gocql/gocql"

	"github.com/find-peers/find-peers/libs/api"
	"github.com/find-peers/find-peers/libs/httpx/httpxtest"
)

func querySightings(t *testing.T, srv *testServer, query string) (*http.Response, []byte) {
	t.Helper()
	return httpxtest.Do(t, "GET", srv.URL+"/tracking/sightings?"+query, "", "")
}

// TestSightingsOfBeacons: one request answers every listed beacon's hour,
// grouped per beacon in request order, newest first within a beacon.
func TestSightingsOfBeacons(t *testing.T) {
	inKitchen := api.Sighting{BeaconID: kitchen, TimeLogged: seedHour.Add(59 * time.Minute), UserID: avinash, Name: "Avinash Erupaka"}
	srv := newServer(t, newFakeStore(sighting1, sighting2, nextHour, inKitchen), streamConfig{})
	unknown := gocql.MustRandomUUID()
	// kitchen first: the answer follows the request's order, not the times.
	resp, body := querySightings(t, srv, fmt.Sprintf("epochSeconds=%d&beaconId=%s&beaconId=%s,%s", 1473157000, kitchen, unknown, bedRoom))
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var got []api.Sighting
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	want := []api.Sighting{inKitchen, sighting2, sighting1}
	if len(got) != len(want) {
		t.Fatalf("got %d sightings, want %d: %s", len(got), len(want), body)
	}
	for i := range want {
		if !got[i].TimeLogged.Equal(want[i].TimeLogged) || got[i].BeaconID != want[i].BeaconID || got[i].UserID != want[i].UserID {
			t.Errorf("sighting %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if !srv.store.lastHour.Equal(seedHour) {
		t.Errorf("store asked for hour %v, want %v", srv.store.lastHour, seedHour)
	}
	if b := srv.store.lastBatch; len(b) != 3 || b[0] != kitchen || b[1] != unknown || b[2] != bedRoom {
		t.Errorf("store asked for %v, want kitchen, unknown, bed room", b)
	}
}

// TestSightingsOfBeaconsEmptyAndDuplicates: nobody seen is [] (not null),
// and a repeated id is read and answered once.
func TestSightingsOfBeaconsEmptyAndDuplicates(t *testing.T) {
	srv := newServer(t, newFakeStore(sighting1), streamConfig{})
	resp, body := querySightings(t, srv, fmt.Sprintf("epochSeconds=%d&beaconId=%s", nextHour.TimeLogged.Unix(), kitchen))
	if resp.StatusCode != 200 || strings.TrimSpace(string(body)) != "[]" {
		t.Fatalf("nobody seen: %d %s, want 200 []", resp.StatusCode, body)
	}
	resp, body = querySightings(t, srv, fmt.Sprintf("epochSeconds=%d&beaconId=%s&beaconId=%s,%s", seedHour.Unix(), bedRoom, bedRoom, bedRoom))
	var got []api.Sighting
	if resp.StatusCode != 200 || json.Unmarshal(body, &got) != nil || len(got) != 1 {
		t.Fatalf("duplicates: %d %s, want the one sighting once", resp.StatusCode, body)
	}
	if b := srv.store.lastBatch; len(b) != 1 {
		t.Errorf("store asked for %v, want the beacon once", b)
	}
}

// TestSightingsOfBeaconsBadInput: every malformed query is a JSON 400
// naming the field, before the store is asked.
func TestSightingsOfBeaconsBadInput(t *testing.T) {
	srv := newServer(t, newFakeStore(), streamConfig{})
	many := make([]string, maxQueryBeacons+1)
	for i := range many {
		many[i] = "beaconId=" + gocql.MustRandomUUID().String()
	}
	exactly := strings.Join(many[:maxQueryBeacons], "&")
	for _, c := range []struct{ query, field string }{
		{"beaconId=" + bedRoom.String(), "epochSeconds"},
		{"epochSeconds=x&beaconId=" + bedRoom.String(), "epochSeconds"},
		{"epochSeconds=1&epochSeconds=2&beaconId=" + bedRoom.String(), "epochSeconds"},
		{"epochSeconds=-1&beaconId=" + bedRoom.String(), "epochSeconds"},
		{"epochSeconds=1473157000", "beaconId"},
		{"epochSeconds=1473157000&beaconId=", "beaconId"},
		{"epochSeconds=1473157000&beaconId=nope", "beaconId"},
		{"epochSeconds=1473157000&beaconId=" + bedRoom.String() + ",nope", "beaconId"},
		{"epochSeconds=1473157000&" + strings.Join(many, "&"), "beaconId"},
		{"epochSeconds=1473157000&" + exactly + "&beaconId=" + bedRoom.String(), "beaconId"},
		// Repeats count against the limit, as the document's maxItems does
		// (found by schemathesis, seed 1151733619).
		{"epochSeconds=0&" + strings.Repeat("beaconId="+bedRoom.String()+"&", maxQueryBeacons+1), "beaconId"},
	} {
		resp, body := querySightings(t, srv, c.query)
		if resp.StatusCode != 400 {
			t.Errorf("%.80s: %d, want 400", c.query, resp.StatusCode)
			continue
		}
		if msg := httpxtest.ErrorMessage(t, resp, body); !strings.Contains(msg, c.field) {
			t.Errorf("%.80s: error %q does not name %s", c.query, msg, c.field)
		}
	}
	if _, _, reads := srv.store.counts(); reads != 0 {
		t.Errorf("the store was read %d times for bad queries", reads)
	}
	// Exactly the maximum is fine.
	if resp, body := querySightings(t, srv, "epochSeconds=1473157000&"+exactly); resp.StatusCode != 200 {
		t.Errorf("%d beacons: %d %s", maxQueryBeacons, resp.StatusCode, body)
	}
}

// TestSightingsOfBeaconsTooManyRows: past the row bound the answer is a
// JSON 422 telling the client to ask for fewer beacons.
func TestSightingsOfBeaconsTooManyRows(t *testing.T) {
	fs := newFakeStore(sighting1, sighting2)
	fs.rowLimit = 1
	srv := newServer(t, fs, streamConfig{})
	resp, body := querySightings(t, srv, fmt.Sprintf("epochSeconds=%d&beaconId=%s", seedHour.Unix(), bedRoom))
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422: %s", resp.StatusCode, body)
	}
	if msg := httpxtest.ErrorMessage(t, resp, body); !strings.Contains(msg, "fewer beacons") {
		t.Errorf("error %q", msg)
	}
}
