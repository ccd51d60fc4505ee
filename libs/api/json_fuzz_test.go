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

// FuzzJSONMatchesEncodingJSON: for any name, ids and time, Marshal writes
// the bytes encoding/json writes (invalid UTF-8 aside, see
// TestJSONMatchesEncodingJSON), and Unmarshal reads back what encoding/json
// reads back.
func FuzzJSONMatchesEncodingJSON(f *testing.F) {
	f.Add("Ana", []byte("0123456789abcdef"), int64(1473156000), int64(0), 0)
	f.Add("<b>&\u2028\"\\\t", []byte{}, int64(-62135596800), int64(999999999), -12600)
	f.Fuzz(func(t *testing.T, name string, id []byte, sec, nsec int64, offset int) {
		var u gocql.UUID
		copy(u[:], id)
		at := time.Unix(sec, nsec%1e9).In(time.FixedZone("z", offset%86400))
		v := []api.UserAtLocation{{UserID: u, Name: name, TimeLogged: at, BeaconName: name}}
		var want, got bytes.Buffer
		errWant := json.NewEncoder(&want).Encode(v)
		errGot := api.Marshal(&got, v)
		if (errWant == nil) != (errGot == nil) {
			t.Fatalf("encoding/json error %v, Marshal error %v", errWant, errGot)
		}
		if errWant != nil {
			return // times past year 9999: both refuse
		}
		if got.String() != strings.ReplaceAll(want.String(), `\ufffd`, "\ufffd") {
			t.Fatalf("Marshal\n got %q\nwant %q", got.String(), want.String())
		}
		var back, backV1 []api.UserAtLocation
		if err := api.Unmarshal(bytes.NewReader(got.Bytes()), &back); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(want.Bytes(), &backV1); err != nil {
			t.Fatal(err)
		}
		if back[0].UserID != backV1[0].UserID || back[0].Name != backV1[0].Name || !back[0].TimeLogged.Equal(backV1[0].TimeLogged) {
			t.Fatalf("Unmarshal %+v, encoding/json %+v", back[0], backV1[0])
		}

		// tracking's answer, which Marshal writes by hand when it can.
		sightings := []api.Sighting{{BeaconID: u, TimeLogged: at, UserID: u, Name: name}, {Name: "Ana", TimeLogged: at}}
		want.Reset()
		got.Reset()
		if err := json.NewEncoder(&want).Encode(sightings); err != nil {
			t.Fatal(err) // the time was accepted above
		}
		if err := api.Marshal(&got, sightings); err != nil {
			t.Fatal(err)
		}
		if got.String() != strings.ReplaceAll(want.String(), `\ufffd`, "\ufffd") {
			t.Fatalf("Marshal of sightings\n got %q\nwant %q", got.String(), want.String())
		}
	})
}

// FuzzUnmarshalMatchesEncodingJSON: for any bytes, Unmarshal into the
// aggregator's upstream types accepts what encoding/json's Unmarshal accepts,
// with the same values, and refuses what it refuses.
func FuzzUnmarshalMatchesEncodingJSON(f *testing.F) {
	f.Add([]byte(`[{"beaconId":"f525cff6-721e-11e6-8b77-86f30ca81234","timeLogged":"2016-09-06T10:00:00.5+02:00","userId":"f525cff6-721e-11e6-8b77-86f30ca81234","name":"a"}]`))
	f.Add([]byte(`[{"BEACONID":"f525cff6-721e-11e6-8b77-86f30ca81234","name":"a","name":"b","timeLogged":null}] `))
	f.Add([]byte(`[{"beaconId":null}]`))
	f.Add([]byte(`[{"timeLogged":"2016-09-06T24:00:00Z"}]`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var v1, v2 []api.Sighting
		err1 := json.Unmarshal(body, &v1)
		err2 := api.Unmarshal(bytes.NewReader(body), &v2)
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("%q: encoding/json error %v, Unmarshal error %v", body, err1, err2)
		}
		if err1 != nil {
			return
		}
		if len(v1) != len(v2) || (v1 == nil) != (v2 == nil) {
			t.Fatalf("%q: encoding/json %+v, Unmarshal %+v", body, v1, v2)
		}
		for i := range v1 {
			a, b := v1[i], v2[i]
			if a.BeaconID != b.BeaconID || a.UserID != b.UserID || a.Name != b.Name || !a.TimeLogged.Equal(b.TimeLogged) {
				t.Fatalf("%q [%d]: encoding/json %+v, Unmarshal %+v", body, i, a, b)
			}
		}
	})
}
