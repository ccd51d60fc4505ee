package httpx

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
)

// DefaultMaxBody is a sensible request body limit for small JSON documents.
const DefaultMaxBody = 1 << 20

// DecodeJSON decodes the request body into dst strictly: the Content-Type
// must be application/json (415), the body at most maxBytes (413), every field
// known to dst (400 naming the field), and exactly one JSON value (400 on
// trailing data). Errors are *Error with a message fit for the client; a
// maxBytes <= 0 means DefaultMaxBody.
func DecodeJSON(r *http.Request, dst any, maxBytes int64) error {
	body, maxBytes, err := jsonBody(r, maxBytes)
	if err != nil {
		return err
	}
	return decodeStrict(json.NewDecoder(body), dst, maxBytes)
}

// DecodeJSONOneOrMany decodes a body that is either one JSON object (a T) or
// an array of them, with DecodeJSON's rules, and says which it was. It reads
// the body once: it looks at the first byte that is not white space and
// decodes straight into T or []T, rather than into a json.RawMessage first
// and again from there (a profile of tracking's batch ingest showed those
// extra passes as a third of its CPU). what names one element for the error
// when the body is neither, e.g. "a sighting object".
func DecodeJSONOneOrMany[T any](r *http.Request, maxBytes int64, what string) (items []T, array bool, err error) {
	body, maxBytes, err := jsonBody(r, maxBytes)
	if err != nil {
		return nil, false, err
	}
	br := bufio.NewReader(body)
	first, err := peekNonSpace(br)
	if err != nil {
		return nil, false, decodeError(err, maxBytes)
	}
	dec := json.NewDecoder(br)
	switch first {
	case '[':
		if err := decodeStrict(dec, &items, maxBytes); err != nil {
			return nil, true, err
		}
		return items, true, nil
	case '{':
		var one T
		if err := decodeStrict(dec, &one, maxBytes); err != nil {
			return nil, false, err
		}
		return []T{one}, false, nil
	}
	return nil, false, BadRequest("body must be %s or an array of them", what)
}

// jsonBody checks the content type and bounds the body.
func jsonBody(r *http.Request, maxBytes int64) (io.Reader, int64, error) {
	if err := requireJSON(r); err != nil {
		return nil, 0, err
	}
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBody
	}
	return http.MaxBytesReader(nil, r.Body, maxBytes), maxBytes, nil
}

// decodeStrict decodes exactly one value into dst, refusing unknown fields.
func decodeStrict(dec *json.Decoder, dst any, maxBytes int64) error {
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err, maxBytes)
	}
	// Exactly one value: "{}{}" or "{} x" is a client bug we refuse to guess at.
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return tooLarge(maxBytes)
		}
		return BadRequest("request body must contain a single JSON value")
	}
	return nil
}

// peekNonSpace skips JSON white space and returns the next byte, unread.
func peekNonSpace(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.ReadByte()
		if err != nil {
			return 0, err
		}
		switch b {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return b, br.UnreadByte()
	}
}

func requireJSON(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return Errorf(http.StatusUnsupportedMediaType, "Content-Type must be application/json")
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return Errorf(http.StatusUnsupportedMediaType, "Content-Type must be application/json, got %q", truncate(ct, 64))
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return Errorf(http.StatusUnsupportedMediaType, "charset must be utf-8, got %q", truncate(cs, 32))
	}
	return nil
}

func decodeError(err error, maxBytes int64) error {
	var (
		syntaxErr *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
		mbe       *http.MaxBytesError
	)
	switch {
	case errors.As(err, &mbe):
		return tooLarge(maxBytes)
	case errors.Is(err, io.EOF):
		return BadRequest("request body is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return BadRequest("request body is truncated JSON")
	case errors.As(err, &syntaxErr):
		return BadRequest("malformed JSON at byte %d", syntaxErr.Offset)
	case errors.As(err, &typeErr):
		if typeErr.Field != "" {
			return BadRequest("field %q: expected %s, got JSON %s", typeErr.Field, typeErr.Type, typeErr.Value)
		}
		return BadRequest("expected %s, got JSON %s", typeErr.Type, typeErr.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// encoding/json has no typed error for this; the message is stable
		// and documented by DisallowUnknownFields' behaviour.
		return BadRequest("unknown field %s", truncate(strings.TrimPrefix(err.Error(), "json: unknown field "), 100))
	default:
		// Custom UnmarshalJSON errors (e.g. a malformed UUID) land here;
		// their text says what was wrong with the value.
		return BadRequest("invalid JSON: %s", truncate(err.Error(), 200))
	}
}

func tooLarge(maxBytes int64) error {
	return Errorf(http.StatusRequestEntityTooLarge, "request body larger than %d bytes", maxBytes)
}

// truncate bounds client-controlled text echoed back in messages and logs.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
