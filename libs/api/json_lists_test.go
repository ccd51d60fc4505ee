package api

import (
	"bytes"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/gocql/gocql"
)

// TestAppendListIsTaken checks the hand-written lists are written by hand
// for plain values (else FuzzJSONMatchesEncodingJSON would only ever test
// the general encoder) and left to it for anything else, byte for byte the
// general encoder's output.
func TestAppendListIsTaken(t *testing.T) {
	at := time.Date(2016, 9, 6, 10, 0, 0, 500_000_000, time.UTC)
	zoned := at.In(time.FixedZone("+02", 7200))
	id := gocql.UUID{0xf5, 0x25, 0xcf, 0xf6, 0x72, 0x1e, 0x11, 0xe6, 0x8b, 0x77, 0x86, 0xf3, 0x0c, 0xa8, 0x93, 0xd3}
	for _, c := range []struct {
		name  string
		v     any
		plain bool
	}{
		{"sightings", []Sighting{{id, at, id, "Ana"}, {id, zoned, id, "José Nuñez-O'Brien 李"}}, true},
		{"users", []UserAtLocation{{id, "Ana", at, "Bed Room"}, {id, "Ö", zoned, ""}}, true},
		{"empty", []Sighting{}, true},
		{"nil", []Sighting(nil), false},
		{"html", []Sighting{{id, at, id, "<b>"}}, false},
		{"quote", []UserAtLocation{{id, "a", at, `"x"`}}, false},
		{"control", []Sighting{{id, at, id, "a\tb"}}, false},
		{"line separator", []UserAtLocation{{id, "a\u2028b", at, ""}}, false},
		{"invalid UTF-8", []Sighting{{id, at, id, "a\xffb"}}, false},
		{"year 10000", []Sighting{{id, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), id, "a"}}, false},
		{"other type", []Beacon{{id, id, "x"}}, false},
	} {
		size, ok := plainList(c.v)
		if ok != c.plain {
			t.Errorf("%s: written by hand %v, want %v", c.name, ok, c.plain)
		}
		if !ok {
			continue
		}
		got := appendList(nil, c.v)
		if len(got) > size {
			t.Errorf("%s: %d bytes, more than the %d plainList allowed for", c.name, len(got), size)
		}
		var want bytes.Buffer
		if err := json.MarshalWrite(&want, c.v, jsonOptions); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want.Bytes()) {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, want.Bytes())
		}
	}
}
