package main

// Fuzz target for POST /beacons, driven through the handler with an
// in-memory store: no panic, never a 5xx, JSON answers, and a rejected
// request stores nothing. The seed corpus runs as an ordinary test.

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gocql/gocql"

	"github.com/find-peers/find-peers/libs/api"
	"github.com/find-peers/find-peers/libs/httpx/httpxtest"
)

type fuzzStore struct{ put []api.Beacon }

func (s *fuzzStore) BeaconsAt(context.Context, gocql.UUID) ([]api.Beacon, error) { return nil, nil }
func (s *fuzzStore) Beacon(context.Context, gocql.UUID) (api.Beacon, error)      { return api.Beacon{}, nil }
func (s *fuzzStore) Locations(context.Context, int, []byte) ([]gocql.UUID, []byte, error) {
	return nil, nil, nil
}
func (s *fuzzStore) PutBeacon(_ context.Context, b api.Beacon) error {
	s.put = append(s.put, b)
	return nil
}

func FuzzPutBeacon(f *testing.F) {
	for _, s := range []string{
		`{"locationId":"ce519f95-923c-4532-879e-cd19afa8dda8","beaconName":"Bed Room Beacon"}`,
		`{"locationId":"ce519f95-923c-4532-879e-cd19afa8dda8","beaconId":"5bf966d9-8046-4fc1-ae5a-80c923ebea5a","beaconName":"x"}`,
		`{"locationId":"ce519f95-923c-4532-879e-cd19afa8dda8","beaconName":""}`, `{}`, `[]`, `{"extra":1}`, `{"beaconName":null}`,
		`{"locationId":"ce519f95-923c-4532-879e-cd19afa8dda8","beaconName":"'; DROP KEYSPACE beacon_service; --"}`,
		`{"locationId":"ce519f95-923c-4532-879e-cd19afa8dda8","beaconName":"` + strings.Repeat("x", 5000) + `"}`,
	} {
		f.Add([]byte(s), "application/json")
	}
	f.Fuzz(func(t *testing.T, body []byte, ct string) {
		s := &fuzzStore{}
		req := httptest.NewRequest(http.MethodPost, "/beacons", bytes.NewReader(body))
		req.Header.Set("Content-Type", ct)
		rec := httptest.NewRecorder()
		putBeacon(s).ServeHTTP(rec, req)
		httpxtest.CheckJSONAnswer(t, rec)
		switch {
		case rec.Code == http.StatusCreated:
			var got api.Beacon
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || len(s.put) != 1 || got != s.put[0] {
				t.Fatalf("201 %s but stored %+v (%v)", rec.Body.Bytes(), s.put, err)
			}
		case rec.Code >= 400:
			if len(s.put) != 0 {
				t.Fatalf("status %d but stored %+v", rec.Code, s.put)
			}
		default:
			t.Fatalf("unexpected status %d", rec.Code)
		}
	})
}
