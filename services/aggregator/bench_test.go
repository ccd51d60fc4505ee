package main

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/gocql/gocql"

	"github.com/find-peers/find-peers/libs/api"
)

// BenchmarkUsersAtLocation is the aggregator's own cost per request, with
// in-process upstreams that answer at once: listing, one tracking call per
// 100 beacons, decoding, merging and encoding n beacons x 10 sightings. What
// it does not include is Cassandra (tools/bench/run measures the whole).
func BenchmarkUsersAtLocation(b *testing.B) {
	const loc = "68dce417-460a-4509-acdf-c5401afd652f"
	for _, n := range []int{1, 100, 500} {
		b.Run(fmt.Sprintf("beacons=%d", n), func(b *testing.B) {
			fb, ft, ids := manyBeacons(b, loc, n)
			at := time.Unix(seedEpoch, 0).UTC()
			for i, id := range ids {
				beacon := mustUUID(b, id)
				for j := range 9 {
					ft.byBeacon[id] = append(ft.byBeacon[id], api.Sighting{BeaconID: beacon, UserID: gocql.UUID{byte(j), byte(i), byte(i >> 8)}, Name: "more users", TimeLogged: at.Add(time.Duration(j) * time.Minute)})
				}
			}
			bu, tu := startUpstreams(b, fb, ft)
			agg := startAggregator(b, bu, tu, 5*time.Second, testOptions())
			target := agg.URL + "/aggregator/locations/" + loc + "/1473157000"
			b.ReportAllocs()
			for b.Loop() {
				resp, body := get(b, target, nil)
				if resp.StatusCode != http.StatusOK || len(body) < n*10*80 {
					b.Fatalf("status %d, %d bytes", resp.StatusCode, len(body))
				}
			}
		})
	}
}
