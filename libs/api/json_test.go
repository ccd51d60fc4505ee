package api_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gocql/gocql"

	"github.com/find-peers/find-peers/libs/api"
)

// jsonSamples are values of every API type, with the characters whose
// encoding differs between JSON libraries: HTML-sensitive ones, invalid
// UTF-8, line separators, control characters, times with odd precision and
// zones, nil and empty slices.
func jsonSamples() []any {
	u := gocql.UUID{0xf5, 0x25, 0xcf, 0xf6, 0x72, 0x1e, 0x11, 0xe6, 0x8b, 0x77, 0x86, 0xf3, 0x0c, 0xa8, 0x12, 0x34}
	zone := time.FixedZone("x", -(3*3600 + 30*60))
	names := []string{"", "Ana", "<b>&amp;</b>", "bad \xff utf-8", "line\u2028sep\u2029", "tab\tnl\n\"q\"\\", "日本語 🚀"}
	times := []time.Time{
		time.Date(2016, 9, 6, 10, 0, 0, 0, time.UTC),
		time.Date(2016, 9, 6, 10, 0, 0, 123000000, time.UTC),
		time.Date(1999, 12, 31, 23, 59, 59, 999999999, zone),
		{},
	}
	var out []any
	var sightings []api.Sighting
	var users []api.UserAtLocation
	for i, n := range names {
		t := times[i%len(times)]
		sightings = append(sightings, api.Sighting{BeaconID: u, TimeLogged: t, UserID: gocql.UUID{}, Name: n})
		users = append(users, api.UserAtLocation{UserID: u, Name: n, TimeLogged: t, BeaconName: n})
		out = append(out, api.Beacon{LocationID: u, BeaconID: u, BeaconName: n}, api.Error{Error: n})
	}
	var nilSightings []api.Sighting
	return append(out, sightings, users, nilSightings, []api.Sighting{}, map[string]any{"z": 1, "a": []int{}, "<": nil})
}

// TestJSONMatchesEncodingJSON: Marshal writes what encoding/json's Encoder
// writes, byte for byte, but for invalid UTF-8 (which validate.Name keeps
// out of stored names): both replace it with U+FFFD, encoding/json as the
// escape \ufffd, Marshal as the character. Unmarshal reads it back to the
// same value.
func TestJSONMatchesEncodingJSON(t *testing.T) {
	for _, v := range jsonSamples() {
		var want, got bytes.Buffer
		if err := json.NewEncoder(&want).Encode(v); err != nil {
			t.Fatal(err)
		}
		if err := api.Marshal(&got, v); err != nil {
			t.Fatalf("Marshal(%#v): %v", v, err)
		}
		if got.String() != strings.ReplaceAll(want.String(), `\ufffd`, "\ufffd") {
			t.Errorf("Marshal(%#v)\n got %q\nwant %q", v, got.String(), want.String())
		}
	}
	var users []api.UserAtLocation
	for _, v := range jsonSamples() {
		if u, ok := v.([]api.UserAtLocation); ok {
			users = u
		}
	}
	var b bytes.Buffer
	if err := api.Marshal(&b, users); err != nil {
		t.Fatal(err)
	}
	var back, backV1 []api.UserAtLocation
	if err := api.Unmarshal(bytes.NewReader(b.Bytes()), &back); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b.Bytes(), &backV1); err != nil {
		t.Fatal(err)
	}
	for i := range back {
		if back[i].UserID != backV1[i].UserID || back[i].Name != backV1[i].Name || !back[i].TimeLogged.Equal(backV1[i].TimeLogged) {
			t.Errorf("Unmarshal [%d] = %+v, encoding/json reads %+v", i, back[i], backV1[i])
		}
	}
}

// TestUnmarshalRefuses: what encoding/json refuses for these types,
// Unmarshal refuses too (the aggregator answers 502 for a bad upstream body).
func TestUnmarshalRefuses(t *testing.T) {
	for _, body := range []string{
		`[{"beaconId":"nope","timeLogged":"2016-09-06T10:00:00Z","userId":"f525cff6-721e-11e6-8b77-86f30ca81234","name":"a"}]`,
		`[{"beaconId":7}]`,
		`[{"timeLogged":"yesterday"}]`,
		`[] []`,
		`[`,
		``,
	} {
		var v1, v2 []api.Sighting
		if err := json.Unmarshal([]byte(body), &v1); err == nil {
			t.Fatalf("encoding/json accepts %q; the case is wrong", body)
		}
		if err := api.Unmarshal(strings.NewReader(body), &v2); err == nil {
			t.Errorf("Unmarshal(%q) accepted: %+v", body, v2)
		}
	}
}

// TestUnmarshalUUIDAndTimeAsTheirJSONMethods: encoding/json hands a UUID's
// or a time's raw bytes (quotes and escapes as sent) to their UnmarshalJSON,
// and Unmarshal must come to the same answer: gocql.UUID's refuses a text
// longer than 36 bytes (ParseUUID alone skips any dash at an even digit),
// neither decodes escapes, and a JSON number of 32 digits is a UUID. The
// first case is what FuzzUnmarshalMatchesEncodingJSON found in CI.
func TestUnmarshalUUIDAndTimeAsTheirJSONMethods(t *testing.T) {
	for _, tc := range []struct {
		body   string
		accept bool
	}{
		{`[{"BeAConId":"00000000-0000-0000--0000-000000000000"}]`, false},
		{`[{"beaconId":"-f525cff6-721e-11e6-8b77-86f30ca81234"}]`, false},
		{`[{"beaconId":"f525cff6-721e-11e6-8b77-86f30ca8123\u0034"}]`, false},
		{`[{"timeLogged":"2016-09-06T10:00:00\u005a"}]`, false},
		{`[{"beaconId":"f525cff6721e11e68b7786f30ca81234"}]`, true},
		{`[{"beaconId":"f525cff6721e-11e6-8b77-86f30ca81234"}]`, true},
		{`[{"userId":12345678901234567890123456789012}]`, true},
		{`[{"timeLogged":null,"beaconId":"f525cff6-721e-11e6-8b77-86f30ca81234"}]`, true},
	} {
		var v1, v2 []api.Sighting
		err1 := json.Unmarshal([]byte(tc.body), &v1)
		if (err1 == nil) != tc.accept {
			t.Fatalf("encoding/json on %s: %v; the case is wrong", tc.body, err1)
		}
		err2 := api.Unmarshal(strings.NewReader(tc.body), &v2)
		if (err2 == nil) != tc.accept {
			t.Errorf("Unmarshal(%s): %v, want accepted %t as encoding/json", tc.body, err2, tc.accept)
			continue
		}
		if tc.accept && (v1[0].BeaconID != v2[0].BeaconID || v1[0].UserID != v2[0].UserID || !v1[0].TimeLogged.Equal(v2[0].TimeLogged)) {
			t.Errorf("Unmarshal(%s) = %+v, encoding/json %+v", tc.body, v2[0], v1[0])
		}
	}
}
