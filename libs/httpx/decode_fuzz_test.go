package httpx

// Fuzz targets for strict JSON decoding of untrusted request bodies. The seed
// corpora run as ordinary tests; tools/fuzz-check runs them with -fuzz.

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
)

// fuzzBody is shaped like the services' request bodies: optional strings
// (pointers, so "missing" and "empty" differ) and a nested list.
type fuzzBody struct {
	LocationID *string    `json:"locationId"`
	BeaconName *string    `json:"beaconName"`
	Count      *int       `json:"count"`
	Tags       []string   `json:"tags"`
	Items      []fuzzItem `json:"items"`
}

type fuzzItem struct {
	UserID *string `json:"userId"`
	Name   *string `json:"name"`
}

// clientError fails unless err is an *Error with one of the statuses a body
// may legitimately cause: never a 5xx.
func clientError(t *testing.T, err error, allowed ...int) int {
	t.Helper()
	var he *Error
	if !errors.As(err, &he) {
		t.Fatalf("error %v (%T) is not an *httpx.Error", err, err)
	}
	for _, s := range allowed {
		if he.Status == s {
			if len(he.Msg) > 600 {
				t.Fatalf("message of %d bytes echoes too much input", len(he.Msg))
			}
			return s
		}
	}
	t.Fatalf("status %d (%s), want one of %v", he.Status, he.Msg, allowed)
	return 0
}

func FuzzDecodeJSON(f *testing.F) {
	seeds := []struct {
		body, ct string
	}{
		{`{"locationId":"ce519f95-923c-4532-879e-cd19afa8dda8","beaconName":"Kitchen"}`, "application/json"},
		{`{"items":[{"userId":"u","name":"n"}],"tags":["a","b"],"count":3}`, "application/json; charset=utf-8"},
		{`{"unknown":1}`, "application/json"},
		{`{}{}`, "application/json"},
		{`{} x`, "application/json"},
		{``, "application/json"},
		{`{"count":"3"}`, "application/json"},
		{`{"count":1e400}`, "application/json"},
		{`[1,2,3]`, "application/json"},
		{`{"beaconName":"\ud800"}`, "application/json"},
		{`{"a":` + string(bytes.Repeat([]byte("["), 2000)), "application/json"},
		{`{}`, "text/plain"},
		{`{}`, "application/json; charset=latin1"},
		{`{}`, ""},
		{`{}`, "application/json; charset="},
	}
	for _, s := range seeds {
		f.Add([]byte(s.body), s.ct, int64(256))
	}
	f.Fuzz(func(t *testing.T, body []byte, ct string, max int64) {
		if max <= 0 || max > 1<<16 {
			max = 256
		}
		r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		if ct != "" {
			r.Header.Set("Content-Type", ct)
		}
		var dst fuzzBody
		err := DecodeJSON(r, &dst, max)
		if err != nil {
			status := clientError(t, err, http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType)
			if status == http.StatusRequestEntityTooLarge && int64(len(body)) <= max {
				t.Fatalf("413 for a %d-byte body under the %d limit", len(body), max)
			}
			return
		}
		if int64(len(body)) > max {
			// Accepted bodies can only be over the limit by trailing white space
			// the decoder never needed to read.
			if len(bytes.TrimRight(body[:max], " \t\r\n")) == 0 {
				t.Fatalf("accepted a body over the limit")
			}
		}
		// Round trip: what was accepted re-encodes to a body that decodes to
		// the same value.
		enc, err := json.Marshal(dst)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		var again fuzzBody
		re := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(enc))
		re.Header.Set("Content-Type", "application/json")
		if err := DecodeJSON(re, &again, 1<<20); err != nil {
			t.Fatalf("re-decode %s: %v", enc, err)
		}
		if !reflect.DeepEqual(normalize(dst), normalize(again)) {
			t.Fatalf("round trip changed the value: %s", enc)
		}
	})
}

// normalize makes nil and empty slices compare equal (encoding/json writes
// both as null/[] depending on nil-ness, which is not what is tested here).
func normalize(b fuzzBody) fuzzBody {
	if len(b.Tags) == 0 {
		b.Tags = nil
	}
	if len(b.Items) == 0 {
		b.Items = nil
	}
	return b
}

func FuzzDecodeJSONOneOrMany(f *testing.F) {
	for _, s := range []string{
		`[{"userId":"a","name":"b"}]`, `{"userId":"a"}`, `[]`, `[{}]`, `[{"userId":1}]`, `[{"x":1}]`,
		`[{"userId":"a"}] []`, `[`, `null`, `"str"`, "[{\"name\":\"\\u0000\"}]", ` [ ] `, "\t\r\n {}", ``, `   `,
	} {
		f.Add([]byte(s))
	}
	const limit = 4096
	decode := func(body []byte) ([]fuzzItem, bool, error) {
		r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		return DecodeJSONOneOrMany[fuzzItem](r, limit, "an item")
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		items, array, err := decode(data)
		if err != nil {
			status := clientError(t, err, http.StatusBadRequest, http.StatusRequestEntityTooLarge)
			if status == http.StatusRequestEntityTooLarge && len(data) <= limit {
				t.Fatalf("413 for a %d-byte body under the %d limit", len(data), limit)
			}
			return
		}
		if !array && len(items) != 1 {
			t.Fatalf("one object gave %d items", len(items))
		}
		// Round trip: what was accepted re-encodes, in the same shape, to a
		// body that decodes to the same items.
		var enc []byte
		if array {
			enc, err = json.Marshal(items)
		} else {
			enc, err = json.Marshal(items[0])
		}
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		again, againArray, err := decode(enc)
		if err != nil || againArray != array {
			t.Fatalf("re-decode %s: array %v, %v", enc, againArray, err)
		}
		if len(items) != len(again) || (len(items) > 0 && !reflect.DeepEqual(items, again)) {
			t.Fatalf("round trip changed %s", enc)
		}
	})
}
