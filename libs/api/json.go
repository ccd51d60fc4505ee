package api

import (
	"errors"
	"io"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
	"github.com/gocql/gocql"
)

// The services write every answer with Marshal and the aggregator reads its
// upstreams' answers with Unmarshal: the v2 engine of
// github.com/go-json-experiment/json with encoding/json's semantics
// (jsonv1.DefaultOptionsV1: the same bytes, HTML-safe escaping; invalid
// UTF-8, which validate.Name keeps out of stored names, is replaced by
// U+FFFD as by encoding/json but written as the character, not as its
// escape), so that no client sees a difference (TestJSONMatchesEncodingJSON,
// FuzzJSONMatchesEncodingJSON). What differs is speed. A profile of the
// aggregator at 100 beacons put a third of its CPU in encoding/json
// re-validating and compacting what gocql.UUID's and time.Time's MarshalJSON
// return, once per value; here both are written as string tokens directly,
// in the formats of their own JSON methods, and read by those methods on
// the raw value, as encoding/json reads them (FuzzUnmarshalMatchesEncodingJSON).
var jsonOptions = json.JoinOptions(
	jsonv1.DefaultOptionsV1(),
	json.WithMarshalers(json.JoinMarshalers(
		json.MarshalToFunc(marshalUUID),
		json.MarshalToFunc(marshalTime),
	)),
	json.WithUnmarshalers(json.JoinUnmarshalers(
		json.UnmarshalFromFunc(unmarshalUUID),
		json.UnmarshalFromFunc(unmarshalTime),
	)),
)

var errTimeRange = errors.New("time year outside of range [0,9999]")

// Marshal writes v's JSON and a newline to w, as encoding/json's Encoder
// does. The long lists are written by hand when they can be (writeList).
func Marshal(w io.Writer, v any) error {
	if written, err := writeList(w, v); written {
		return err
	}
	if err := json.MarshalWrite(w, v, jsonOptions); err != nil {
		return err
	}
	_, err := w.Write([]byte{'\n'})
	return err
}

// Unmarshal reads one JSON value, and nothing but white space after it,
// from r into v.
func Unmarshal(r io.Reader, v any) error {
	return json.UnmarshalRead(r, v, jsonOptions)
}

func marshalUUID(enc *jsontext.Encoder, u gocql.UUID) error {
	var b [38]byte
	return enc.WriteValue(append(appendUUID(append(b[:0], '"'), u), '"'))
}

// marshalTime is time.Time.MarshalJSON: RFC 3339 with nanoseconds, and
// years 0 to 9999 only.
func marshalTime(enc *jsontext.Encoder, t time.Time) error {
	if !plainTime(t) {
		return errTimeRange
	}
	var b [48]byte
	return enc.WriteValue(append(t.AppendFormat(append(b[:0], '"'), time.RFC3339Nano), '"'))
}

// unmarshalUUID is gocql.UUID.UnmarshalJSON on the value's raw bytes, as
// encoding/json calls it: quotes stripped but escapes not decoded, a text
// over 36 bytes refused (gocql.ParseUUID alone skips a dash at any even
// digit), and any other JSON value parsed as its text, so null is refused
// and a number of 32 digits is a UUID.
func unmarshalUUID(dec *jsontext.Decoder, u *gocql.UUID) error {
	raw, err := dec.ReadValue()
	if err != nil {
		return err
	}
	return u.UnmarshalJSON(raw)
}

// unmarshalTime is time.Time.UnmarshalJSON on the value's raw bytes, as
// encoding/json calls it: null leaves the time as it is, anything else must
// be a JSON string holding strict RFC 3339, escapes not decoded.
func unmarshalTime(dec *jsontext.Decoder, t *time.Time) error {
	raw, err := dec.ReadValue()
	if err != nil {
		return err
	}
	return t.UnmarshalJSON(raw)
}

// appendUUID appends gocql.UUID.String's text without allocating it.
func appendUUID(dst []byte, u gocql.UUID) []byte {
	const hex = "0123456789abcdef"
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			dst = append(dst, '-')
		}
		dst = append(dst, hex[c>>4], hex[c&0xf])
	}
	return dst
}
