package main

// Benchmarks of the ingest hot path that runs before Cassandra: decoding and
// validating a POST /tracking/sightings body, and the whole handler with a
// store that discards (so only HTTP-side CPU is measured). tools/bench/run
// measures the same path end to end against Cassandra.
//
//	go test -run '^$' -bench . -benchmem ./services/tracking

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gocql/gocql"

	"github.com/find-peers/find-peers/libs/api"
	"github.com/find-peers/find-peers/libs/sse"
)

// benchDiscardStore accepts every write and answers no reads.
type benchDiscardStore struct{}

func (benchDiscardStore) RecordSightings(context.Context, []api.Sighting) error { return nil }
func (benchDiscardStore) SightingsInHour(context.Context, gocql.UUID, time.Time) ([]api.Sighting, error) {
	return nil, nil
}
func (benchDiscardStore) SightingsOfBeacons(context.Context, []gocql.UUID, time.Time) ([][]api.Sighting, error) {
	return nil, nil
}

// benchSightingsBody is a POST body of n sightings over 10 beacons, as
// tools/bench/run posts them.
func benchSightingsBody(b *testing.B, n int) []byte {
	b.Helper()
	type sighting struct {
		BeaconID   string `json:"beaconId"`
		TimeLogged string `json:"timeLogged"`
		UserID     string `json:"userId"`
		Name       string `json:"name"`
	}
	t0 := time.Date(2016, 9, 6, 10, 0, 0, 0, time.UTC)
	rows := make([]sighting, n)
	for i := range rows {
		rows[i] = sighting{
			BeaconID:   fmt.Sprintf("5bf966d9-8046-4fc1-ae5a-80c923ebea%02d", i%10),
			TimeLogged: t0.Add(time.Duration(i) * time.Second).Format(time.RFC3339Nano),
			UserID:     fmt.Sprintf("f525cff6-721e-11e6-8b77-86f30ca8%04d", i),
			Name:       fmt.Sprintf("User number %d", i),
		}
	}
	var v any = rows
	if n == 1 {
		v = rows[0]
	}
	body, err := json.Marshal(v)
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// BenchmarkDecodeValidateSightings: decodeSightings + parse of every element,
// the work recordSightings does before it calls the store.
func BenchmarkDecodeValidateSightings(b *testing.B) {
	for _, n := range []int{1, 100, 500} {
		b.Run(fmt.Sprintf("batch=%d", n), func(b *testing.B) {
			body := benchSightingsBody(b, n)
			now := time.Now().UTC().Truncate(time.Millisecond)
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				r := httptest.NewRequest(http.MethodPost, "/tracking/sightings", bytes.NewReader(body))
				r.Header.Set("Content-Type", "application/json")
				reqs, batch, err := decodeSightings(r)
				if err != nil {
					b.Fatal(err)
				}
				for i, req := range reqs {
					where := noElement
					if batch {
						where = element(i)
					}
					if _, err := req.parse(where, now); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/sighting")
		})
	}
}

// BenchmarkRecordSightingsHandler: the whole POST handler (strict decode,
// validation, publish to an event broker with no subscribers, 201 answer)
// with a store that discards.
func BenchmarkRecordSightingsHandler(b *testing.B) {
	for _, n := range []int{1, 100, 500} {
		b.Run(fmt.Sprintf("batch=%d", n), func(b *testing.B) {
			body := benchSightingsBody(b, n)
			h := recordSightings(benchDiscardStore{}, sse.NewBroker(16), time.Now)
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "/tracking/sightings", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusCreated {
					b.Fatalf("status %d: %s", rec.Code, rec.Body.Bytes())
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/sighting")
		})
	}
}

// benchSightings is n parsed sightings over 10 beacons, as decoded from
// benchSightingsBody.
func benchSightings(b *testing.B, n int) []api.Sighting {
	b.Helper()
	var reqs []sightingRequest
	if err := json.Unmarshal(benchSightingsBody(b, max(n, 2))[:], &reqs); err != nil {
		b.Fatal(err)
	}
	out := make([]api.Sighting, n)
	for i := range out {
		s, err := reqs[i].parse(noElement, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		out[i] = s
	}
	return out
}

// BenchmarkGroupByPartition: RecordSightings' grouping of a request's rows
// into per-partition batches, with duplicates collapsed, before any write.
func BenchmarkGroupByPartition(b *testing.B) {
	for _, n := range []int{100, 500} {
		b.Run(fmt.Sprintf("batch=%d", n), func(b *testing.B) {
			in := benchSightings(b, n)
			b.ReportAllocs()
			for b.Loop() {
				if batches := partitionBatches(in); len(batches) != 10*max(1, n/10/batchRows) {
					b.Fatalf("%d batches", len(batches))
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/sighting")
		})
	}
}
