package apikey

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Scope is what a key may do.
type Scope string

// The scopes; write implies read (see the package doc).
const (
	ScopeRead  Scope = "read"
	ScopeWrite Scope = "write"
)

// maxNameLen bounds a key's name (it is shown by `apikey list` and logged).
const maxNameLen = 100

// Key is one entry of the key file. The secret itself is never stored.
type Key struct {
	ID      string     `json:"id"`
	Name    string     `json:"name"`
	Scopes  []Scope    `json:"scopes"`
	SHA256  string     `json:"sha256"` // hex SHA-256 of the token's secret
	Created time.Time  `json:"created"`
	Revoked *time.Time `json:"revoked,omitempty"`
	// RateLimit (requests per second) and RateBurst override the gateway's
	// per-credential defaults for this key when > 0.
	RateLimit float64 `json:"rateLimit,omitempty"`
	RateBurst int     `json:"rateBurst,omitempty"`
}

// Allows reports whether the key grants scope; write implies read.
func (k Key) Allows(scope Scope) bool {
	return slices.Contains(k.Scopes, scope) || (scope == ScopeRead && slices.Contains(k.Scopes, ScopeWrite))
}

// File is the key file: {"keys": [...]}. An object rather than a bare
// array leaves room for later fields.
type File struct {
	Keys []Key `json:"keys"`
}

// maxFileBytes bounds what Parse reads: far more than any real key set.
const maxFileBytes = 4 << 20

// Parse decodes and validates a key file strictly: unknown fields, a
// missing or bad field, duplicate ids and trailing data are errors naming
// the key and the field (never a hash).
func Parse(r io.Reader) (File, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxFileBytes+1))
	if err != nil {
		return File{}, err
	}
	if len(data) > maxFileBytes {
		return File{}, fmt.Errorf("key file larger than %d bytes", maxFileBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f File
	if err := dec.Decode(&f); err != nil {
		return File{}, fmt.Errorf("key file: %w", err)
	}
	if dec.More() {
		return File{}, errors.New("key file: data after the JSON object")
	}
	if f.Keys == nil {
		return File{}, errors.New(`key file: "keys" missing (want an array, possibly empty)`)
	}
	seen := map[string]bool{}
	for i, k := range f.Keys {
		if err := k.validate(); err != nil {
			return File{}, fmt.Errorf("key file: keys[%d].%w", i, err)
		}
		if seen[k.ID] {
			return File{}, fmt.Errorf("key file: keys[%d].id: duplicate id %s", i, k.ID)
		}
		seen[k.ID] = true
	}
	return f, nil
}

// validate checks one key; the error starts with the field name.
func (k Key) validate() error {
	switch {
	case !ValidID(k.ID):
		return errors.New("id: want 16 lowercase hex digits")
	case strings.TrimSpace(k.Name) == "" || len(k.Name) > maxNameLen:
		return fmt.Errorf("name: want 1 to %d characters, not blank", maxNameLen)
	case strings.ContainsFunc(k.Name, unicode.IsControl):
		return errors.New("name: control characters are not allowed")
	case len(k.Scopes) == 0:
		return errors.New(`scopes: want at least one of "read", "write"`)
	case !validHash(k.SHA256):
		return errors.New("sha256: want 64 lowercase hex digits")
	case k.Created.IsZero():
		return errors.New("created: missing (want an RFC 3339 time)")
	case k.RateLimit < 0 || k.RateLimit != k.RateLimit:
		return errors.New("rateLimit: want a number >= 0")
	case k.RateBurst < 0:
		return errors.New("rateBurst: want an integer >= 0")
	}
	for _, s := range k.Scopes {
		if s != ScopeRead && s != ScopeWrite {
			return fmt.Errorf(`scopes: unknown scope %q (want "read" or "write")`, s)
		}
	}
	return nil
}

func validHash(h string) bool {
	if len(h) != 64 {
		return false
	}
	for _, c := range h {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// Marshal encodes f as the key file (indented, one key per object).
func Marshal(f File) ([]byte, error) {
	if f.Keys == nil {
		f.Keys = []Key{}
	}
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}
