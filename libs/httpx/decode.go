package httpx

import (
	"bytes"
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
	if err := requireJSON(r); err != nil {
		return err
	}
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBody
	}
	body := http.MaxBytesReader(nil, r.Body, maxBytes)
	dec := json.NewDecoder(body)
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

// UnmarshalStrict decodes data into dst with DecodeJSON's rules (unknown
// fields, trailing data, clear 400 messages) for bodies that were first read
// as json.RawMessage, e.g. "one object or an array of them".
func UnmarshalStrict(data []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err, int64(len(data)))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return BadRequest("request body must contain a single JSON value")
	}
	return nil
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
		return BadRequest("unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
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
