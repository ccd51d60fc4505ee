package api

import (
	"bytes"
	"time"
	"unicode/utf8"

	"github.com/gocql/gocql"
)

// UnmarshalSightings reads a JSON array of sightings from data, as
// Unmarshal into a []Sighting does: same values, same errors. The
// aggregator decodes one per tracking call (up to 100 beacons' hours), and
// Unmarshal spent about 1.2 µs a sighting (a string for every UUID and
// time, field names matched without regard to case), a third of the
// aggregator's own CPU at 100 beacons. Tracking writes every answer the
// same way (Marshal: compact, fields in struct order, UUIDs in canonical
// form), so that form is read by hand here, about 3x faster; anything else
// (escapes, other field orders or names, null, white space inside) and
// every error is left to Unmarshal, reading the same bytes, so results and
// messages are Unmarshal's by construction
// (FuzzUnmarshalSightingsMatchesUnmarshal).
func UnmarshalSightings(data []byte) ([]Sighting, error) {
	if out, ok := decodeSightingsFast(data); ok {
		return out, nil
	}
	var out []Sighting
	if err := Unmarshal(bytes.NewReader(data), &out); err != nil {
		return nil, err
	}
	return out, nil
}

// decodeSightingsFast reads exactly the form Marshal writes for a
// []Sighting, with trailing white space; ok is false for anything else.
func decodeSightingsFast(data []byte) (out []Sighting, ok bool) {
	p := sightingParser{data: bytes.TrimRight(data, " \t\r\n")}
	if !p.lit("[") {
		return nil, false
	}
	// Tracking's sightings are about 150 bytes each: one allocation for
	// the slice in the common case.
	out = make([]Sighting, 0, len(p.data)/128+1)
	if p.lit("]") {
		return out, p.done()
	}
	for {
		var s Sighting
		if !p.lit(`{"beaconId":`) || !p.uuid(&s.BeaconID) ||
			!p.lit(`,"timeLogged":`) || !p.time(&s.TimeLogged) ||
			!p.lit(`,"userId":`) || !p.uuid(&s.UserID) ||
			!p.lit(`,"name":`) || !p.str(&s.Name) || !p.lit("}") {
			return nil, false
		}
		out = append(out, s)
		if p.lit("]") {
			return out, p.done()
		}
		if !p.lit(",") {
			return nil, false
		}
	}
}

type sightingParser struct {
	data []byte
	i    int
}

func (p *sightingParser) done() bool { return p.i == len(p.data) }

func (p *sightingParser) lit(s string) bool {
	if !bytes.HasPrefix(p.data[p.i:], []byte(s)) {
		return false
	}
	p.i += len(s)
	return true
}

// quoted returns the bytes of a JSON string with no escapes and no control
// characters, nil when the string is anything else.
func (p *sightingParser) quoted() []byte {
	if p.i >= len(p.data) || p.data[p.i] != '"' {
		return nil
	}
	end := bytes.IndexByte(p.data[p.i+1:], '"')
	if end < 0 {
		return nil
	}
	s := p.data[p.i+1 : p.i+1+end]
	for _, c := range s {
		if c < 0x20 || c == '\\' {
			return nil
		}
	}
	p.i += end + 2
	return s
}

// uuid reads the canonical form (8-4-4-4-12 hex digits), which
// gocql.ParseUUID, Unmarshal's parser, reads to the same value.
func (p *sightingParser) uuid(u *gocql.UUID) bool {
	s := p.quoted()
	if len(s) != 36 {
		return false
	}
	j := 0
	for i := 0; i < 36; i++ {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if s[i] != '-' {
				return false
			}
			continue
		}
		hi, ok1 := unhex(s[i])
		lo, ok2 := unhex(s[i+1])
		if !ok1 || !ok2 {
			return false
		}
		u[j] = hi<<4 | lo
		j++
		i++
	}
	return true
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// time parses as unmarshalTime does (time.Time.UnmarshalText), but from the
// bytes, without making a string first.
func (p *sightingParser) time(t *time.Time) bool {
	s := p.quoted()
	return s != nil && t.UnmarshalText(s) == nil
}

// str takes a string that is valid UTF-8 (Unmarshal would replace invalid
// bytes) and has no escapes.
func (p *sightingParser) str(v *string) bool {
	s := p.quoted()
	if s == nil || !utf8.Valid(s) {
		return false
	}
	*v = string(s)
	return true
}
