package main

// Fuzz target for the query string of GET /beacons/locations, driven through
// the handler with the in-memory store: no panic, only 200 or a JSON 400,
// and a 200 only for a limit from 1 to 100 with a list (never null) of at
// most that many locations. The seed corpus runs as an ordinary test.

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gocql/gocql"

	"github.com/find-peers/find-peers/libs/api"
	"github.com/find-peers/find-peers/libs/httpx/httpxtest"
)

func FuzzLocationsQuery(f *testing.F) {
	for _, q := range []string{
		"", "limit=2", "limit=100", "limit=101", "limit=0", "limit=-1", "limit=+1", "limit=1e2", "limit=%31",
		"limit=2&page=MQ", "page=Mg", "page=", "page=MA==", "page=!!", "page=" + strings.Repeat("A", 600),
		"limit=1&limit=1", "page=a&page=b", "limit=%zz", "a;b", "limit", "page", "colour=red&limit=3", "&&&=&",
		"limit=00000000000000000002", "page=OTk5OTk5OTk5OTk5OTk5OTk5", "page=LTE",
	} {
		f.Add(q)
	}
	var beacons []api.Beacon
	for i := 0; i < 7; i++ {
		beacons = append(beacons, api.Beacon{LocationID: gocql.MustRandomUUID(), BeaconID: gocql.MustRandomUUID(), BeaconName: "b"})
	}
	f.Fuzz(func(t *testing.T, rawQuery string) {
		s := newFakeStore(beacons...)
		req := httptest.NewRequest(http.MethodGet, "/beacons/locations", nil)
		req.URL.RawQuery = rawQuery
		rec := httptest.NewRecorder()
		listLocations(s).ServeHTTP(rec, req)
		httpxtest.CheckJSONAnswer(t, rec)
		switch rec.Code {
		case http.StatusOK:
			if s.lastLimit < 1 || s.lastLimit > maxLocationsLimit {
				t.Fatalf("200 with limit %d", s.lastLimit)
			}
			var p locationsPage
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Locations == nil || len(p.Locations) > s.lastLimit {
				t.Fatalf("200 %s (%v)", rec.Body.Bytes(), err)
			}
		case http.StatusBadRequest:
		default:
			t.Fatalf("status %d: %s", rec.Code, rec.Body.Bytes())
		}
	})
}
