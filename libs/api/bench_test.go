package api_test

// Benchmarks of encoding the API's responses and decoding them, side by
// side: "lib=v1" is encoding/json, "lib=api" is api.Marshal/api.Unmarshal,
// which the services use (httpx.WriteJSON, the aggregator's upstream calls).
//
//	go test -run '^$' -bench . -benchmem ./libs/api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/gocql/gocql"

	"github.com/find-peers/find-peers/libs/api"
)

func benchUUID(i int) gocql.UUID {
	u, _ := gocql.ParseUUID(fmt.Sprintf("f525cff6-721e-11e6-8b77-86f30ca8%04d", i%10000))
	return u
}

// BenchmarkEncodeSightings: a tracking hour answer of n sightings.
func BenchmarkEncodeSightings(b *testing.B) {
	t0 := time.Date(2016, 9, 6, 10, 0, 0, 0, time.UTC)
	for _, n := range []int{1, 100, 1000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			v := make([]api.Sighting, n)
			for i := range v {
				v[i] = api.Sighting{BeaconID: benchUUID(7), TimeLogged: t0.Add(time.Duration(i) * time.Millisecond), UserID: benchUUID(i), Name: fmt.Sprintf("User number %d", i)}
			}
			benchEncode(b, v, n)
		})
	}
}

// BenchmarkEncodeUsersAtLocation: an aggregator answer of n users.
func BenchmarkEncodeUsersAtLocation(b *testing.B) {
	t0 := time.Date(2016, 9, 6, 10, 0, 0, 0, time.UTC)
	for _, n := range []int{1, 100, 1000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			v := make([]api.UserAtLocation, n)
			for i := range v {
				v[i] = api.UserAtLocation{UserID: benchUUID(i), Name: fmt.Sprintf("User number %d", i), TimeLogged: t0.Add(time.Duration(i) * time.Second), BeaconName: "Bed Room Beacon"}
			}
			benchEncode(b, v, n)
		})
	}
}

// BenchmarkDecodeSightings: the aggregator decoding a tracking answer.
func BenchmarkDecodeSightings(b *testing.B) {
	t0 := time.Date(2016, 9, 6, 10, 0, 0, 0, time.UTC)
	v := make([]api.Sighting, 100)
	for i := range v {
		v[i] = api.Sighting{BeaconID: benchUUID(7), TimeLogged: t0.Add(time.Duration(i) * time.Millisecond), UserID: benchUUID(i), Name: fmt.Sprintf("User number %d", i)}
	}
	data, err := json.Marshal(v)
	if err != nil {
		b.Fatal(err)
	}
	decoders := map[string]func([]byte, *[]api.Sighting) error{
		"v1":  func(d []byte, out *[]api.Sighting) error { return json.Unmarshal(d, out) },
		"api": func(d []byte, out *[]api.Sighting) error { return api.Unmarshal(bytes.NewReader(d), out) },
	}
	for _, lib := range []string{"v1", "api"} {
		b.Run("lib="+lib, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				var out []api.Sighting
				if err := decoders[lib](data, &out); err != nil || len(out) != len(v) {
					b.Fatal(err, len(out))
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(v)), "ns/item")
		})
	}
}

func benchEncode(b *testing.B, v any, n int) {
	data, err := json.Marshal(v)
	if err != nil {
		b.Fatal(err)
	}
	encoders := map[string]func(any) error{
		"v1":  json.NewEncoder(io.Discard).Encode,
		"api": func(v any) error { return api.Marshal(io.Discard, v) },
	}
	for _, lib := range []string{"v1", "api"} {
		b.Run("lib="+lib, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if err := encoders[lib](v); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/item")
		})
	}
}
