package api_test

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gocql/gocql"

	"github.com/find-peers/find-peers/libs/api"
)

// unmarshalBoth decodes body with UnmarshalSightings and with Unmarshal
// and fails unless both agree: same values (time zones included), both
// nil or both not, the same error text.
func unmarshalBoth(t *testing.T, body []byte) []api.Sighting {
	t.Helper()
	fast, errFast := api.UnmarshalSightings(body)
	var slow []api.Sighting
	errSlow := api.Unmarshal(bytes.NewReader(body), &slow)
	if (errFast == nil) != (errSlow == nil) || (errFast != nil && errFast.Error() != errSlow.Error()) {
		t.Fatalf("%q: UnmarshalSightings error %v, Unmarshal error %v", body, errFast, errSlow)
	}
	if errSlow != nil {
		return nil
	}
	if (fast == nil) != (slow == nil) || !reflect.DeepEqual(fast, slow) && !sameSightings(fast, slow) {
		t.Fatalf("%q: UnmarshalSightings %+v, Unmarshal %+v", body, fast, slow)
	}
	return fast
}

// sameSightings compares times by instant and zone offset: DeepEqual sees
// two *time.Location values for one fixed zone as different.
func sameSightings(a, b []api.Sighting) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		_, oa := a[i].TimeLogged.Zone()
		_, ob := b[i].TimeLogged.Zone()
		if a[i].BeaconID != b[i].BeaconID || a[i].UserID != b[i].UserID || a[i].Name != b[i].Name ||
			!a[i].TimeLogged.Equal(b[i].TimeLogged) || oa != ob {
			return false
		}
	}
	return true
}

func TestUnmarshalSightingsReadsWhatMarshalWrites(t *testing.T) {
	t0 := time.Date(2016, 9, 6, 10, 0, 0, 123456789, time.UTC)
	in := []api.Sighting{
		{BeaconID: gocql.TimeUUID(), TimeLogged: t0, UserID: gocql.TimeUUID(), Name: "Bhargavi Erupaka"},
		{BeaconID: gocql.TimeUUID(), TimeLogged: t0.In(time.FixedZone("", 2*3600)), UserID: gocql.TimeUUID(), Name: "Zoë <&> \"quoted\" \\ \u2028"},
		{BeaconID: gocql.TimeUUID(), TimeLogged: t0.Truncate(time.Second), Name: ""},
	}
	for n := range len(in) + 1 {
		var b bytes.Buffer
		if err := api.Marshal(&b, in[:n]); err != nil {
			t.Fatal(err)
		}
		if got := unmarshalBoth(t, b.Bytes()); len(got) != n || got == nil {
			t.Fatalf("%d sightings: got %d (%#v)", n, len(got), got)
		}
	}
}

func TestUnmarshalSightingsOtherFormsAndErrors(t *testing.T) {
	const id = "f525cff6-721e-11e6-8b77-86f30ca81234"
	for _, body := range []string{
		``, `null`, `[]`, ` [ ] `, `[]x`, `[`, `[{}]`, `{}`, `"x"`,
		`[{"beaconId":"` + id + `","timeLogged":"2016-09-06T10:00:00Z","userId":"` + id + `","name":"a"}]` + "\n",
		`[{"beaconId":"` + strings.ToUpper(id) + `","timeLogged":"2016-09-06T10:00:00+02:00","userId":"` + id + `","name":"a"}]`,
		`[{"userId":"` + id + `","beaconId":"` + id + `","timeLogged":"2016-09-06T10:00:00Z","name":"a"}]`,
		`[{"BEACONID":"` + id + `","timeLogged":null,"userId":"` + id + `","name":"a","name":"b"}]`,
		`[{"beaconId":"` + id + `","timeLogged":"2016-09-06T24:00:00Z","userId":"` + id + `","name":"a"}]`,
		`[{"beaconId":"` + id[:35] + `","timeLogged":"2016-09-06T10:00:00Z","userId":"` + id + `","name":"a"}]`,
		`[{"beaconId":"` + strings.ReplaceAll(id, "-", "") + `xxxx","timeLogged":"2016-09-06T10:00:00Z","userId":"` + id + `","name":"a"}]`,
		`[{"beaconId":"` + id + `","timeLogged":"2016-09-06T10:00:00Z","userId":"` + id + `","name":"a\u00e9\n"}]`,
		`[{"beaconId":"` + id + `","timeLogged":"2016-09-06T10:00:00Z","userId":"` + id + `","name":"` + "\xff" + `"}]`,
		`[{"beaconId":"` + id + `","timeLogged":"2016-09-06T10:00:00Z","userId":"` + id + `","name":"a"},]`,
		`[{"beaconId":"` + id + `","timeLogged":"2016-09-06T10:00:00Z","userId":"` + id + `","name":"a"}] []`,
	} {
		unmarshalBoth(t, []byte(body))
	}
}

// FuzzUnmarshalSightingsMatchesUnmarshal: for any bytes, UnmarshalSightings
// gives what Unmarshal into a []Sighting gives, error text included.
func FuzzUnmarshalSightingsMatchesUnmarshal(f *testing.F) {
	const id = "f525cff6-721e-11e6-8b77-86f30ca81234"
	f.Add([]byte(`[{"beaconId":"` + id + `","timeLogged":"2016-09-06T10:00:00.5+02:00","userId":"` + id + `","name":"a"}]`))
	f.Add([]byte(`[{"beaconId":"` + id + `","timeLogged":"2016-09-06T10:00:00Z","userId":"` + id + `","name":"a"},{"beaconId":"` + id + `","timeLogged":"2016-09-06T10:00:00Z","userId":"` + id + `","name":"b"}]`))
	f.Add([]byte(`[{"BEACONID":"` + id + `","name":"a","name":"b","timeLogged":null}] `))
	f.Add([]byte(`[]`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, body []byte) { unmarshalBoth(t, body) })
}

// BenchmarkUnmarshalSightings: a tracking answer of 100 sightings, as
// BenchmarkDecodeSightings, through UnmarshalSightings.
func BenchmarkUnmarshalSightings(b *testing.B) {
	t0 := time.Date(2016, 9, 6, 10, 0, 0, 0, time.UTC)
	v := make([]api.Sighting, 100)
	for i := range v {
		v[i] = api.Sighting{BeaconID: gocql.TimeUUID(), TimeLogged: t0.Add(time.Duration(i) * time.Millisecond), UserID: gocql.TimeUUID(), Name: fmt.Sprintf("User number %d", i)}
	}
	var data bytes.Buffer
	if err := api.Marshal(&data, v); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(data.Len()))
	b.ReportAllocs()
	for b.Loop() {
		out, err := api.UnmarshalSightings(data.Bytes())
		if err != nil || len(out) != len(v) {
			b.Fatal(err, len(out))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(v)), "ns/item")
}
