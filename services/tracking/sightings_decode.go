package main

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"sync"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/find-peers/find-peers/libs/httpx"
)

// The batch ingest path decodes with a jsontext token stream instead of
// encoding/json's reflection: a profile of POST /tracking/sightings put
// more than half of its CPU in the reflective decoder. The fast path only
// says yes to bodies it understands completely (exact field names, string
// or null values, one value, within the limits); on anything else,
// including every error, decodeSightings hands the very same bytes to the
// reflective decoder, so error messages and edge cases (case-insensitive
// or escaped names, duplicate names, invalid UTF-8) stay as they were by
// construction. FuzzDecodeSightingsFast checks the two agree.

// fastContentTypes are the Content-Type values that certainly pass
// httpx's check; any other spelling takes the reflective path, which
// decides on it as before.
var fastContentTypes = map[string]bool{
	"application/json":                true,
	"application/json; charset=utf-8": true,
	"application/json; charset=UTF-8": true,
}

// decodeSightings reads one sighting object or an array of 1 to maxBatch.
func decodeSightings(r *http.Request) (reqs []sightingRequest, batch bool, err error) {
	if !fastContentTypes[r.Header.Get("Content-Type")] {
		return decodeSightingsReflect(r)
	}
	d := sightingDecoders.Get().(*sightingDecoder)
	defer d.release()
	if reqs, batch, ok := d.decode(r); ok {
		return reqs, batch, nil
	}
	r.Body = d.replay(r.Body)
	return decodeSightingsReflect(r)
}

// decodeSightingsReflect is the reference decoder: encoding/json through
// httpx, whose messages the API documents.
func decodeSightingsReflect(r *http.Request) (reqs []sightingRequest, batch bool, err error) {
	reqs, batch, err = httpx.DecodeJSONOneOrMany[sightingRequest](r, maxSightingsBody, "a sighting object")
	switch {
	case err != nil:
		return nil, batch, err
	case len(reqs) == 0:
		return nil, batch, httpx.BadRequest("no sightings in the array")
	case len(reqs) > maxBatch:
		return nil, batch, httpx.Errorf(http.StatusRequestEntityTooLarge, "%d sightings in one request, at most %d allowed", len(reqs), maxBatch)
	}
	return reqs, batch, nil
}

// Field indexes of a sightingRequest, in fieldSpan arrays.
const (
	fieldBeaconID = iota
	fieldTimeLogged
	fieldUserID
	fieldName
	numFields
)

// fieldSpan locates one decoded string in sightingDecoder.text; set is
// false for a missing or null field (a nil pointer, as encoding/json has it).
type fieldSpan struct {
	start, end int
	set        bool
}

// sightingDecoder holds the buffers of one decode; they are pooled, and
// what decode returns shares none of them.
type sightingDecoder struct {
	body    bytes.Buffer
	raw     []byte // body's bytes: decoding from body consumes it
	readErr error
	dec     jsontext.Decoder
	text    []byte // every decoded string, back to back
	elems   [][numFields]fieldSpan
}

var sightingDecoders = sync.Pool{New: func() any { return new(sightingDecoder) }}

// allowDuplicateNames turns off jsontext's own duplicate check, which
// keeps a set of names per object: object's bitmask of the four known
// fields does the same for less, and sends duplicates to the reflective
// path (which keeps the last value).
var allowDuplicateNames = jsontext.AllowDuplicateNames(true)

func (d *sightingDecoder) release() {
	d.body.Reset()
	d.raw = nil
	d.readErr = nil
	d.text = d.text[:0]
	d.elems = d.elems[:0]
	sightingDecoders.Put(d)
}

// replay gives the reflective decoder the bytes decode read, then what
// reading went on to return: the rest of the body, or the read error.
func (d *sightingDecoder) replay(rest io.ReadCloser) io.ReadCloser {
	var tail io.Reader = rest
	if d.readErr != nil {
		tail = errReader{d.readErr}
	}
	return struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(d.raw), tail), rest}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// decode reads the whole body (one byte past the limit, to see it is
// over) and decodes it; ok is false when the reflective decoder must
// decide instead.
func (d *sightingDecoder) decode(r *http.Request) (reqs []sightingRequest, batch, ok bool) {
	_, d.readErr = d.body.ReadFrom(io.LimitReader(r.Body, maxSightingsBody+1))
	d.raw = d.body.Bytes()
	if d.readErr != nil || d.body.Len() > maxSightingsBody {
		return nil, false, false
	}
	d.dec.Reset(&d.body, allowDuplicateNames)
	switch d.dec.PeekKind() {
	case jsontext.KindBeginObject:
		ok = d.object()
	case jsontext.KindBeginArray:
		batch, ok = true, d.array()
	}
	// Exactly one value: anything after it is the reflective path's to refuse.
	if !ok || !d.atEOF() {
		return nil, false, false
	}
	return d.requests(), batch, true
}

// array decodes [obj, ...] of 1 to maxBatch objects.
func (d *sightingDecoder) array() bool {
	if !d.delim(jsontext.KindBeginArray) {
		return false
	}
	for d.dec.PeekKind() == jsontext.KindBeginObject {
		if !d.object() || len(d.elems) > maxBatch {
			return false
		}
	}
	return d.delim(jsontext.KindEndArray) && len(d.elems) > 0
}

// object decodes one sighting: known names spelt exactly, each at most
// once, with a string or null value.
func (d *sightingDecoder) object() bool {
	if !d.delim(jsontext.KindBeginObject) {
		return false
	}
	var e [numFields]fieldSpan
	var seen uint
	for d.dec.PeekKind() == jsontext.KindString {
		name, err := d.dec.ReadValue()
		if err != nil {
			return false
		}
		f := fieldIndex(name)
		if f < 0 || seen&(1<<f) != 0 {
			return false
		}
		seen |= 1 << f
		if e[f], err = d.value(); err != nil {
			return false
		}
	}
	d.elems = append(d.elems, e)
	return d.delim(jsontext.KindEndObject)
}

// fieldIndex maps a raw JSON name to its field, or -1. Comparing the raw
// bytes (quotes included) means an escaped name is not matched here.
func fieldIndex(name jsontext.Value) int {
	switch string(name) {
	case `"beaconId"`:
		return fieldBeaconID
	case `"timeLogged"`:
		return fieldTimeLogged
	case `"userId"`:
		return fieldUserID
	case `"name"`:
		return fieldName
	}
	return -1
}

// errNotString sends any value but a string or null to the reflective
// path, which words the type error.
var errNotString = errors.New("not a string or null")

// value decodes a string (unquoted into d.text) or null.
func (d *sightingDecoder) value() (fieldSpan, error) {
	v, err := d.dec.ReadValue()
	if err != nil {
		return fieldSpan{}, err
	}
	switch v.Kind() {
	case jsontext.KindNull:
		return fieldSpan{}, nil
	case jsontext.KindString:
		start := len(d.text)
		d.text, err = appendUnquoted(d.text, v)
		return fieldSpan{start: start, end: len(d.text), set: true}, err
	}
	return fieldSpan{}, errNotString
}

// appendUnquoted appends the text of a string value. Most have no escape
// and are copied as they are; the decoder has already checked the string,
// UTF-8 included.
func appendUnquoted(dst []byte, v jsontext.Value) ([]byte, error) {
	if bytes.IndexByte(v, '\\') < 0 {
		return append(dst, v[1:len(v)-1]...), nil
	}
	return jsontext.AppendUnquote(dst, v)
}

func (d *sightingDecoder) delim(k jsontext.Kind) bool {
	tok, err := d.dec.ReadToken()
	return err == nil && tok.Kind() == k
}

func (d *sightingDecoder) atEOF() bool {
	_, err := d.dec.ReadToken()
	return err == io.EOF
}

// requests builds the decoded sightings with three allocations in all:
// one string holding every value, one slab of strings for the pointers to
// point into, and the slice itself.
func (d *sightingDecoder) requests() []sightingRequest {
	text := string(d.text)
	slab := make([]string, len(d.elems)*numFields)
	reqs := make([]sightingRequest, len(d.elems))
	for i, e := range d.elems {
		vals := slab[i*numFields : (i+1)*numFields]
		ptr := func(f int) *string {
			if !e[f].set {
				return nil
			}
			vals[f] = text[e[f].start:e[f].end]
			return &vals[f]
		}
		reqs[i] = sightingRequest{BeaconID: ptr(fieldBeaconID), TimeLogged: ptr(fieldTimeLogged), UserID: ptr(fieldUserID), Name: ptr(fieldName)}
	}
	return reqs
}
