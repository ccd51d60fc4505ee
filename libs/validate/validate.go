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
	if !canonicalUUID(s) {
		return gocql.UUID{}, httpx.BadRequest("%s %q is not a UUID (want xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", field, clip(s))
	}
	u, err := gocql.ParseUUID(s)
	if err != nil {
		return gocql.UUID{}, httpx.BadRequest("%s %q is not a UUID", field, clip(s))
	}
	return u, nil
}

func canonicalUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
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

// Time parses an RFC 3339 timestamp (any offset, optional fraction) between
// 1970 and MaxTime and returns it in UTC, truncated to the millisecond:
// Cassandra stores milliseconds, and answering with exactly what was stored
// keeps writes and reads comparable.
func Time(field, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, httpx.BadRequest("%s %q is not an RFC 3339 time such as 2016-09-06T10:00:00Z", field, clip(s))
	}
	t = t.UTC().Truncate(time.Millisecond)
	if t.Before(time.Unix(0, 0)) || t.After(MaxTime) {
		return time.Time{}, httpx.BadRequest("%s %q is outside 1970-01-01 to 9999-12-31", field, clip(s))
	}
	return t, nil
}

// clip bounds client input echoed in error messages.
func clip(s string) string {
	const n = 64
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
