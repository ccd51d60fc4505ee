package main

// Fuzz targets for tracking-service's untrusted input, driven through the
// handlers with an in-memory store: the POST /tracking/sightings body (one
// object or a batch), the path of GET /tracking/beacons/{id}/{seconds} and
// the query of GET /tracking/sightings.
// Properties: no panic, never a 5xx, every answer is JSON, and a rejected
// request writes nothing. Seed corpora run as ordinary tests.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gocql/gocql"
	"github.com/gorilla/mux"

	"github.com/find-peers/find-peers/libs/api"
	"github.com/find-peers/find-peers/libs/httpx/httpxtest"
	"github.com/find-peers/find-peers/libs/sse"
)

// fuzzStore counts what reaches the store.
type fuzzStore struct {
	mu      sync.Mutex
	written int
	asked   int // beacons of the last SightingsOfBeacons call
}

func (s *fuzzStore) RecordSightings(_ context.Context, ss []api.Sighting) error {
	s.mu.Lock()
	s.written += len(ss)
	s.mu.Unlock()
	return nil
}

func (s *fuzzStore) SightingsInHour(context.Context, gocql.UUID, time.Time) ([]api.Sighting, error) {
	return nil, nil
}

func (s *fuzzStore) SightingsOfBeacons(_ context.Context, beacons []gocql.UUID, _ time.Time) ([][]api.Sighting, error) {
	seen := map[gocql.UUID]bool{}
	for _, b := range beacons {
		if seen[b] {
			return nil, errors.New("duplicate beacon id passed to the store")
		}
		seen[b] = true
	}
	s.mu.Lock()
	s.asked = len(beacons)
	s.mu.Unlock()
	return make([][]api.Sighting, len(beacons)), nil
}

func fuzzRouter(s *fuzzStore) http.Handler {
	events := sse.NewBroker(4)
	now := func() time.Time { return time.Date(2016, 9, 6, 10, 0, 0, 0, time.UTC) }
	r := mux.NewRouter()
	r.Handle("/tracking/beacons/{beaconId}/{epochSeconds}", sightingsInHour(s)).Methods(http.MethodGet)
	r.Handle("/tracking/sightings", recordSightings(s, events, now)).Methods(http.MethodPost)
	r.Handle("/tracking/sightings", sightingsOfBeacons(s)).Methods(http.MethodGet)
	return r
}

func FuzzRecordSightings(f *testing.F) {
	const one = `{"beaconId":"5bf966d9-8046-4fc1-ae5a-80c923ebea5a","userId":"f525cff6-721e-11e6-8b77-86f30ca893d3","name":"Avinash","timeLogged":"2016-09-06T10:00:00Z"}`
	for _, s := range []string{
		one, "[" + one + "," + one + "]", "[]", "{}", "[{}]", `{"beaconId":"x"}`, one + one, `"str"`, `null`, ` [ ` + one + ` ] `,
		`{"beaconId":"5bf966d9-8046-4fc1-ae5a-80c923ebea5a","userId":"f525cff6-721e-11e6-8b77-86f30ca893d3","name":"\u0000"}`,
		`{"beaconId":"5bf966d9-8046-4fc1-ae5a-80c923ebea5a","userId":"f525cff6-721e-11e6-8b77-86f30ca893d3","name":"n","timeLogged":"1969-12-31T23:59:59Z"}`,
		`{"beaconId":"5bf966d9-8046-4fc1-ae5a-80c923ebea5a","userId":"f525cff6-721e-11e6-8b77-86f30ca893d3","name":"Robert'); DROP TABLE users_by_beacon;--"}`,
		"[" + strings.TrimSuffix(strings.Repeat(one+",", maxBatch+1), ",") + "]",
	} {
		f.Add([]byte(s), "application/json")
	}
	f.Add([]byte(one), "text/plain")
	f.Fuzz(func(t *testing.T, body []byte, ct string) {
		s := &fuzzStore{}
		req := httptest.NewRequest(http.MethodPost, "/tracking/sightings", bytes.NewReader(body))
		req.Header.Set("Content-Type", ct)
		rec := httptest.NewRecorder()
		fuzzRouter(s).ServeHTTP(rec, req)
		httpxtest.CheckJSONAnswer(t, rec)
		switch {
		case rec.Code == http.StatusCreated:
			var got recordedBody
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || got.Count != s.written || got.Count < 1 || got.Count > maxBatch {
				t.Fatalf("201 %s but the store got %d rows", rec.Body.Bytes(), s.written)
			}
		case rec.Code >= 400 && rec.Code < 500:
			if s.written != 0 {
				t.Fatalf("status %d but %d rows were written", rec.Code, s.written)
			}
		default:
			t.Fatalf("unexpected status %d", rec.Code)
		}
	})
}

func FuzzSightingsPath(f *testing.F) {
	for _, p := range []string{"5bf966d9-8046-4fc1-ae5a-80c923ebea5a/1473156000", "x/1", "5bf966d9-8046-4fc1-ae5a-80c923ebea5a/-1",
		"5bf966d9-8046-4fc1-ae5a-80c923ebea5a/253402300800", "%2e%2e/%2e%2e", "5bf966d9-8046-4fc1-ae5a-80c923ebea5a/1%00"} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		req, err := http.NewRequest(http.MethodGet, "http://x/tracking/beacons/"+p, nil)
		if err != nil {
			return // not a URL a client could send
		}
		rec := httptest.NewRecorder()
		fuzzRouter(&fuzzStore{}).ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("GET %s: %d %s", req.URL, rec.Code, rec.Body.Bytes())
		}
		if rec.Code == http.StatusOK || rec.Code == http.StatusBadRequest {
			httpxtest.CheckJSONAnswer(t, rec)
		}
	})
}

// FuzzSightingsQuery drives the query string of GET /tracking/sightings:
// never a 5xx, every 200 or 400 is JSON, and a 200 asked the store for 1 to
// maxQueryBeacons distinct beacons.
func FuzzSightingsQuery(f *testing.F) {
	const a, b = "5bf966d9-8046-4fc1-ae5a-80c923ebea5a", "ce519f95-923c-4532-879e-cd19afa8dda8"
	for _, q := range []string{
		"epochSeconds=1473156000&beaconId=" + a, "epochSeconds=1473156000&beaconId=" + a + "," + b + "&beaconId=" + a,
		"epochSeconds=1473156000", "beaconId=" + a, "epochSeconds=1&epochSeconds=2&beaconId=" + a, "epochSeconds=x&beaconId=" + a,
		"epochSeconds=1473156000&beaconId=,", "epochSeconds=1473156000&beaconId=%2C" + a, "epochSeconds=1473156000&beaconId=" + a + "%00",
		"epochSeconds=1473156000&beaconId=" + strings.Repeat(a+",", maxQueryBeacons+1), ";;&&==", "%zz",
	} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		req, err := http.NewRequest(http.MethodGet, "http://x/tracking/sightings?"+q, nil)
		if err != nil {
			return // not a URL a client could send
		}
		s := &fuzzStore{}
		rec := httptest.NewRecorder()
		fuzzRouter(s).ServeHTTP(rec, req)
		switch {
		case rec.Code == http.StatusOK:
			httpxtest.CheckJSONAnswer(t, rec)
			if s.asked < 1 || s.asked > maxQueryBeacons {
				t.Fatalf("200 after asking the store for %d beacons", s.asked)
			}
		case rec.Code == http.StatusBadRequest:
			httpxtest.CheckJSONAnswer(t, rec)
		default:
			t.Fatalf("GET ?%s: %d %s", q, rec.Code, rec.Body.Bytes())
		}
	})
}
