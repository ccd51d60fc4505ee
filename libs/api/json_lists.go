package api

import (
	"bytes"
	"io"
	"time"
	"unicode/utf8"
)

// The two long answers, tracking's []Sighting (up to 100 000 of them for a
// batch of beacons) and the aggregator's []UserAtLocation, are written by
// hand when every value is plain; Marshal hands anything else to the
// general encoder, so the bytes are the same by construction of the
// fallback and by FuzzJSONMatchesEncodingJSON for the rest. A profile of
// tracking answering 100 beacons x 10 sightings put a quarter of its CPU in
// the general encoder, half of that in writing and re-checking each UUID.

// plainList reports whether v is one of the two lists with every value
// plain (see plainString, plainTime), and if so an upper bound of the size
// of its JSON, so that it is written into one buffer.
func plainList(v any) (size int, ok bool) {
	// Per entry: the names, quotes, colons and commas, two UUIDs and the
	// longest RFC 3339 time with nanoseconds and a zone offset.
	const uuidLen, timeLen = 36, len("2006-01-02T15:04:05.999999999-07:00")
	switch list := v.(type) {
	case []Sighting:
		const fixed = len(`{"beaconId":"","timeLogged":"","userId":"","name":""},`) + 2*uuidLen + timeLen
		size = 2 + fixed*len(list)
		for _, s := range list {
			if !plainString(s.Name) || !plainTime(s.TimeLogged) {
				return 0, false
			}
			size += len(s.Name)
		}
		return size, list != nil
	case []UserAtLocation:
		const fixed = len(`{"userId":"","name":"","timeLogged":"","beaconName":""},`) + uuidLen + timeLen
		size = 2 + fixed*len(list)
		for _, u := range list {
			if !plainString(u.Name) || !plainString(u.BeaconName) || !plainTime(u.TimeLogged) {
				return 0, false
			}
			size += len(u.Name) + len(u.BeaconName)
		}
		return size, list != nil
	}
	return 0, false
}

// appendList appends the JSON of v, a list plainList said yes to.
func appendList(dst []byte, v any) []byte {
	dst = append(dst, '[')
	switch list := v.(type) {
	case []Sighting:
		for i, s := range list {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendUUID(append(dst, `{"beaconId":"`...), s.BeaconID)
			dst = s.TimeLogged.AppendFormat(append(dst, `","timeLogged":"`...), time.RFC3339Nano)
			dst = appendUUID(append(dst, `","userId":"`...), s.UserID)
			dst = append(append(append(dst, `","name":"`...), s.Name...), `"}`...)
		}
	case []UserAtLocation:
		for i, u := range list {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendUUID(append(dst, `{"userId":"`...), u.UserID)
			dst = append(append(dst, `","name":"`...), u.Name...)
			dst = u.TimeLogged.AppendFormat(append(dst, `","timeLogged":"`...), time.RFC3339Nano)
			dst = append(append(append(dst, `","beaconName":"`...), u.BeaconName...), `"}`...)
		}
	}
	return append(dst, ']')
}

// writeList writes v's JSON and a newline to w when plainList says yes;
// into a bytes.Buffer (httpx.WriteJSON's) directly.
func writeList(w io.Writer, v any) (written bool, err error) {
	size, ok := plainList(v)
	if !ok {
		return false, nil
	}
	if buf, isBuf := w.(*bytes.Buffer); isBuf {
		buf.Grow(size + 1)
		_, err = buf.Write(append(appendList(buf.AvailableBuffer(), v), '\n'))
		return true, err
	}
	_, err = w.Write(append(appendList(make([]byte, 0, size+1), v), '\n'))
	return true, err
}

// plainString reports whether s is written as it is between quotes by the
// general encoder: valid UTF-8 with nothing it escapes (control
// characters, quote, backslash, and with encoding/json's HTML and
// JavaScript safety <, >, &, U+2028 and U+2029).
func plainString(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			return false
		}
		i += size
	}
	return true
}

// plainTime reports whether t is one marshalTime writes rather than
// refuses (years 0 to 9999); marshalTime asks it too, so the two agree.
func plainTime(t time.Time) bool {
	y := t.Year()
	return y >= 0 && y < 10000
}
