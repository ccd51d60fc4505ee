// Package validate checks client input shared by the services' handlers:
// UUIDs, display names and Unix-seconds path segments. Every failure is an
// *httpx.Error with status 400 and a message naming the offending field, so
// handlers can return it as is.
package validate

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gocql/gocql"

	"github.com/find-peers/find-peers/libs/httpx"
)

// UUID parses s as a UUID in canonical form (8-4-4-4-12 hex digits, either
// case). gocql.ParseUUID alone also accepts hyphens anywhere or none at all;
// the API promises one spelling so ids compare equal as strings.
func UUID(field, s string) (gocql.UUID, error) {
	u, ok := parseCanonicalUUID(s)
	if !ok {
		return gocql.UUID{}, httpx.BadRequest("%s %q is not a UUID (want xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", field, clip(s))
	}
	return u, nil
}

// Name checks a display name (a beacon's or a user's) as given: valid UTF-8,
// at most max characters (counted before anything is removed), no control
// characters anywhere (they break logs and terminals; this includes \t, \n,
// \v and \r), and at least one character that is not white space. It returns
// the name with surrounding white space removed. This is what the OpenAPI
// documents state with maxLength and NamePattern.
func Name(field, s string, max int) (string, error) {
	if !utf8.ValidString(s) {
		return "", httpx.BadRequest("%s is not valid UTF-8", field)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return "", httpx.BadRequest("%s is %d characters long, at most %d allowed", field, n, max)
	}
	if strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return "", httpx.BadRequest("%s must not contain control characters", field)
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return "", httpx.BadRequest("%s must not be empty", field)
	}
	return s, nil
}

// NamePattern is the ECMA-262 (and Python re) regular expression the OpenAPI
// documents give for names: no control character (unicode.IsControl: U+0000-
// U+001F, U+007F-U+009F) and at least one character that is neither a control
// character nor white space (unicode.IsSpace). A test checks it against Name.
const NamePattern = `^[^\x00-\x1F\x7F-\x9F]*[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\x00-\x1F\x7F-\x9F]*$`

// MaxTime is the latest instant the API accepts: the end of year 9999, the
// last year RFC 3339 can write.
var MaxTime = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)

// EpochSeconds parses a path segment of Unix seconds: digits only, between 0
// (1970) and MaxTime.
func EpochSeconds(field, s string) (time.Time, error) {
	bad := httpx.BadRequest("%s %q is not Unix seconds between 0 and %d", field, clip(s), MaxTime.Unix())
	if s == "" || len(s) > 20 {
		return time.Time{}, bad
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' { // no sign, no spaces, no fractions
			return time.Time{}, bad
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n > MaxTime.Unix() {
		return time.Time{}, bad
	}
	return time.Unix(n, 0).UTC(), nil
}

// TimePattern is the regular expression the OpenAPI documents give for a
// timeLogged in a request, and exactly what Time accepts, apart from the
// calendar (no February 30), which format: date-time states. It is the RFC
// 3339 date-time grammar (uppercase T and Z, offsets -23:59 to +23:59, any
// number of fraction digits), restricted to the dates 1970-01-01 to
// 9999-12-31 as written, with one rule for the two boundary days: on
// 1970-01-01 the offset must be Z or west of UTC (-hh:mm, or +00:00), on
// 9999-12-31 Z or east of it (+hh:mm, or -00:00). Then every accepted time
// lies, in UTC, between 1970-01-01T00:00:00Z and the last millisecond of
// 9999: storable as a Cassandra timestamp, in an hour bucket that
// GET .../{epochSeconds} can reach, and printable as RFC 3339 in UTC. The
// boundary rule also refuses a few in-range instants (1970-01-01T10:00+09:00
// is 01:00Z); deciding by the date as written keeps the rule a regular
// expression, which is what lets the documents state it exactly, and no
// real client records sightings on those two days. Only ASCII [0-9] is used
// (not \d, which is Unicode-aware in some engines), and no look-around, so
// Go, ECMA-262, Python and Rust read it alike; a test checks the documents
// carry it verbatim. Time applies it through matchTimePattern, which a fuzz
// target checks against this expression.
const TimePattern = `^(?:` +
	// 1971-9998, 1970 after January 1st, 9999 before December 31st: any offset.
	`(?:(?:197[1-9]|19[89][0-9]|[2-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])-[0-9]{2}-[0-9]{2}` +
	`|1970-(?:0[2-9]|1[0-2])-[0-9]{2}|1970-01-(?:0[2-9]|[12][0-9]|3[01])` +
	`|9999-(?:0[0-9]|1[01])-[0-9]{2}|9999-12-(?:[0-2][0-9]|30))` +
	`T` + timeOfDay + `(?:Z|[+-]` + timeOffset + `)` +
	// 1970-01-01: UTC or west of it.
	`|1970-01-01T` + timeOfDay + `(?:Z|-` + timeOffset + `|\+00:00)` +
	// 9999-12-31: UTC or east of it.
	`|9999-12-31T` + timeOfDay + `(?:Z|\+` + timeOffset + `|-00:00)` +
	`)$`

const (
	timeOfDay  = `(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?`
	timeOffset = `(?:[01][0-9]|2[0-3]):[0-5][0-9]`
)

// Time parses a timeLogged: an RFC 3339 timestamp that TimePattern accepts
// and that names a real calendar day. It returns it in UTC, truncated to the
// millisecond: Cassandra stores milliseconds, and answering with exactly
// what was stored keeps writes and reads comparable.
func Time(field, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err == nil && matchTimePattern(s) {
		return t.UTC().Truncate(time.Millisecond), nil
	}
	// Rejected; say why as precisely as the input allows. time.Parse is
	// laxer than RFC 3339 (it takes offsets such as +24:00), so a time it
	// parses may still be refused below for its spelling.
	if err == nil {
		_, offset := t.Zone()
		switch date := s[:10]; {
		case t.Year() < 1970:
			return time.Time{}, httpx.BadRequest("%s %q is dated before 1970-01-01 (dates from 1970-01-01 to 9999-12-31 are accepted)", field, clip(s))
		case date == "1970-01-01" && offset > 0:
			return time.Time{}, httpx.BadRequest("%s %q: on 1970-01-01 give the time in UTC (Z) or with a negative offset, so that it is not before 1970-01-01T00:00:00Z", field, clip(s))
		case date == "9999-12-31" && offset < 0:
			return time.Time{}, httpx.BadRequest("%s %q: on 9999-12-31 give the time in UTC (Z) or with a positive offset, so that it is not after 9999-12-31T23:59:59.999Z", field, clip(s))
		}
	}
	return time.Time{}, httpx.BadRequest("%s %q is not an RFC 3339 time such as 2016-09-06T10:00:00Z (uppercase T and Z, offset at most 23:59, years 1970 to 9999)", field, clip(s))
}

// clip bounds client input echoed in error messages.
func clip(s string) string {
	const n = 64
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
