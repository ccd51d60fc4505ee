package api

import (
	"reflect"
	"testing"

	"github.com/gocql/gocql"
)

func TestGroupByBeacon(t *testing.T) {
	a, b, c := gocql.UUID{1}, gocql.UUID{2}, gocql.UUID{3}
	s := func(beacon gocql.UUID, name string) Sighting { return Sighting{BeaconID: beacon, Name: name} }
	ss := []Sighting{s(a, "a1"), s(a, "a2"), s(b, "b1"), s(a, "a3")}
	out := make([][]Sighting, 3)
	if u, ok := GroupByBeacon(ss, map[gocql.UUID]int{a: 0, b: 1, c: 2}, out); !ok {
		t.Fatalf("beacon %s reported unknown", u)
	}
	want := [][]Sighting{{s(a, "a1"), s(a, "a2"), s(a, "a3")}, {s(b, "b1")}, nil}
	if !reflect.DeepEqual(out, want) {
		t.Fatalf("got %v, want %v", out, want)
	}
	// The second run of a was appended to a copy: ss itself is unchanged.
	if ss[2] != s(b, "b1") {
		t.Fatalf("appending a's second run overwrote the input: %v", ss)
	}
	if u, ok := GroupByBeacon([]Sighting{s(a, "a1"), s(c, "c1")}, map[gocql.UUID]int{a: 0}, make([][]Sighting, 1)); ok || u != c {
		t.Fatalf("got (%s, %v), want beacon %s reported unknown", u, ok, c)
	}
}
