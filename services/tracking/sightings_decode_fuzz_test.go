package main

// Differential tests of the jsontext fast path of decodeSightings against
// the reflective decoder it stands in for: the same body must give the
// same sightings, the same shape, or the very same error.

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/find-peers/find-peers/libs/httpx"
)

const fastOne = `{"beaconId":"5bf966d9-8046-4fc1-ae5a-80c923ebea5a","userId":"f525cff6-721e-11e6-8b77-86f30ca893d3","name":"Avinash","timeLogged":"2016-09-06T10:00:00Z"}`

func sightingsRequest(body []byte, ct string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/tracking/sightings", bytes.NewReader(body))
	r.Header.Set("Content-Type", ct)
	return r
}

// sameDecoding fails unless decodeSightings and decodeSightingsReflect
// agree on r1 and r2 (two requests with the same body); it reports
// whether the fast path decided alone.
func sameDecoding(t *testing.T, r1, r2, r3 *http.Request) (fast bool) {
	t.Helper()
	got, gotBatch, gotErr := decodeSightings(r1)
	want, wantBatch, wantErr := decodeSightingsReflect(r2)
	if !sameError(gotErr, wantErr) || gotBatch != wantBatch || !reflect.DeepEqual(got, want) {
		t.Fatalf("fast path: %v %v %v; reflective: %v %v %v", got, gotBatch, gotErr, want, wantBatch, wantErr)
	}
	// The fast path alone may only accept what the reflective one accepts
	// (it runs only for the content types that pass httpx's check).
	if !fastContentTypes[r3.Header.Get("Content-Type")] {
		return false
	}
	d := new(sightingDecoder)
	reqs, batch, ok := d.decode(r3)
	if ok && (wantErr != nil || batch != wantBatch || !reflect.DeepEqual(reqs, want)) {
		t.Fatalf("fast path accepted %v %v; reflective: %v %v %v", reqs, batch, want, wantBatch, wantErr)
	}
	return ok
}

func sameError(a, b error) bool {
	if a == nil || b == nil {
		return a == b
	}
	var ha, hb *httpx.Error
	return errors.As(a, &ha) && errors.As(b, &hb) && ha.Status == hb.Status && a.Error() == b.Error()
}

func FuzzDecodeSightingsFast(f *testing.F) {
	for _, s := range []string{
		fastOne, "[" + fastOne + "," + fastOne + "]", " [ " + fastOne + " ]\n", "[]", "{}", "[{}]", "[null]", "null", `"x"`,
		fastOne + fastOne, fastOne + " x", "[" + fastOne + "] []", "[" + fastOne + ",]", "[" + fastOne,
		`{"beaconId":null,"name":"n"}`, `{"BeaconId":"x"}`, `{"beacon\u0049d":"x"}`, `{"name":"a","name":"b"}`,
		`{"name":1}`, `{"name":{}}`, `{"name":["a"]}`, `{"name":true}`, `{"other":"x"}`, `{"name":"\ud800"}`,
		"{\"name\":\"\xff\"}", `{"name":"\u00e9\n\"\\\/"}`, `{"name":"\ud83d\ude00"}`, "\ufeff" + fastOne, ``, ` `,
	} {
		f.Add([]byte(s), "application/json")
	}
	f.Add([]byte(fastOne), "application/json; charset=utf-8")
	f.Add([]byte(fastOne), "Application/JSON")
	f.Add([]byte(fastOne), "text/plain")
	f.Fuzz(func(t *testing.T, body []byte, ct string) {
		sameDecoding(t, sightingsRequest(body, ct), sightingsRequest(body, ct), sightingsRequest(body, ct))
	})
}

// TestDecodeSightingsFastLimits covers what the fuzz target cannot reach:
// bodies around the size limit, batches around maxBatch and a body that
// fails mid-read.
func TestDecodeSightingsFastLimits(t *testing.T) {
	batch := func(n int) string { return "[" + strings.TrimSuffix(strings.Repeat(fastOne+",", n), ",") + "]" }
	pad := func(s string, n int) string { return s + strings.Repeat(" ", n-len(s)) }
	for name, tc := range map[string]struct {
		body string
		fast bool
	}{
		"max batch":              {batch(maxBatch), true},
		"over max batch":         {batch(maxBatch + 1), false},
		"at the size limit":      {pad(fastOne, maxSightingsBody), true},
		"one byte over":          {pad(fastOne, maxSightingsBody+1), false},
		"far over, bad JSON":     {pad("{x", 2*maxSightingsBody), false},
		"far over, valid prefix": {pad("[", 2*maxSightingsBody), false},
		"empty array":            {"[]", false},
	} {
		t.Run(name, func(t *testing.T) {
			b := []byte(tc.body)
			ct := "application/json"
			if fast := sameDecoding(t, sightingsRequest(b, ct), sightingsRequest(b, ct), sightingsRequest(b, ct)); fast != tc.fast {
				t.Errorf("fast path decided: %v, want %v", fast, tc.fast)
			}
		})
	}
	t.Run("read error", func(t *testing.T) {
		failing := func() *http.Request {
			r := sightingsRequest(nil, "application/json")
			r.Body = io.NopCloser(io.MultiReader(strings.NewReader("["+fastOne), iotest.ErrReader(errors.New("connection reset"))))
			return r
		}
		sameDecoding(t, failing(), failing(), failing())
	})
}
