package validate

import (
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/find-peers/find-peers/libs/httpx"
)

func is400(t *testing.T, what string, err error, contains string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: accepted", what)
		return
	}
	e := httpx.AsError(err)
	if e.Status != 400 || !strings.Contains(e.Msg, contains) {
		t.Errorf("%s: %d %q, want 400 containing %q", what, e.Status, e.Msg, contains)
	}
}

func TestUUID(t *testing.T) {
	for _, s := range []string{"5bf966d9-8046-4fc1-ae5a-80c923ebea5a", "5BF966D9-8046-4FC1-AE5A-80C923EBEA5A", "00000000-0000-0000-0000-000000000000"} {
		u, err := UUID("beaconId", s)
		if err != nil || !strings.EqualFold(u.String(), s) {
			t.Errorf("UUID(%q) = %v, %v", s, u, err)
		}
	}
	for _, s := range []string{
		"", "x", "5bf966d98046-4fc1-ae5a-80c923ebea5a-", "5bf966d980464fc1ae5a80c923ebea5a",
		"5bf966d9-8046-4fc1-ae5a-80c923ebea5g", "{5bf966d9-8046-4fc1-ae5a-80c923ebea5a}",
		" 5bf966d9-8046-4fc1-ae5a-80c923ebea5a", "5bf966d9-8046-4fc1-ae5a-80c923ebea5a0",
		"5bf966d9_8046_4fc1_ae5a_80c923ebea5a",
	} {
		_, err := UUID("beaconId", s)
		is400(t, "UUID "+s, err, "beaconId")
	}
	_, err := UUID("x", strings.Repeat("a", 10000))
	if e := httpx.AsError(err); len(e.Msg) > 200 {
		t.Errorf("message echoes %d bytes", len(e.Msg))
	}
}

func TestName(t *testing.T) {
	if got, err := Name("beaconName", "  Kitchen Beacon ", 14+3); err != nil || got != "Kitchen Beacon" {
		t.Errorf("Name = %q, %v", got, err)
	}
	if got, err := Name("name", "Ünïcödé ✓", 9); err != nil || got != "Ünïcödé ✓" {
		t.Errorf("runes counted as bytes: %q, %v", got, err)
	}
	for s, want := range map[string]string{
		"":                      "empty",
		"   \u3000":             "empty",
		"   \t":                 "control",
		strings.Repeat("x", 11): "at most 10",
		"a\x00b":                "control",
		"a\nb":                  "control",
		"bad \xff utf8":         "UTF-8",
		// The limit applies to the name as given, and a control character
		// counts even where trimming would have removed it.
		" " + strings.Repeat("x", 10): "at most 10",
		"\v" + strings.Repeat("x", 9): "control",
		"\tx":                         "control",
		"x\n":                         "control",
		"\u0085x":                     "control",
		"\u00a0\u3000":                "empty",
	} {
		_, err := Name("name", s, 10)
		is400(t, "Name "+s, err, want)
	}
}

func TestEpochSeconds(t *testing.T) {
	for s, want := range map[string]time.Time{
		"1473156000":   time.Date(2016, 9, 6, 10, 0, 0, 0, time.UTC),
		"0":            time.Unix(0, 0).UTC(),
		"253402300799": MaxTime,
		"001473156000": time.Date(2016, 9, 6, 10, 0, 0, 0, time.UTC),
	} {
		got, err := EpochSeconds("epochSeconds", s)
		if err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("EpochSeconds(%q) = %v, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "-1", "+5", "1.5", "1e9", "abc", " 1", "253402300800", "99999999999999999999", "9223372036854775808", strings.Repeat("1", 30)} {
		_, err := EpochSeconds("epochSeconds", s)
		is400(t, "EpochSeconds "+s, err, "epochSeconds")
	}
}

func TestTime(t *testing.T) {
	for s, want := range map[string]time.Time{
		"2016-09-06T10:00:00Z":           time.Date(2016, 9, 6, 10, 0, 0, 0, time.UTC),
		"2016-09-06T12:00:00+02:00":      time.Date(2016, 9, 6, 10, 0, 0, 0, time.UTC),
		"2016-09-06T10:00:00.123456789Z": time.Date(2016, 9, 6, 10, 0, 0, 123000000, time.UTC),
		"9999-12-31T23:59:59Z":           MaxTime,
		"9999-12-31T23:59:59.999999Z":    MaxTime.Add(999 * time.Millisecond),
		"9999-12-31T23:59:59+05:00":      MaxTime.Add(-5 * time.Hour),
		"9999-12-31T23:59:59-00:00":      MaxTime,
		"9999-12-30T23:00:00-23:59":      time.Date(9999, 12, 31, 22, 59, 0, 0, time.UTC),
		"1970-01-01T00:00:00Z":           time.Unix(0, 0).UTC(),
		"1970-01-01T00:00:00+00:00":      time.Unix(0, 0).UTC(),
		"1970-01-01T00:00:00-01:00":      time.Unix(3600, 0).UTC(),
		"1970-01-02T00:00:00+23:59":      time.Unix(60, 0).UTC(),
	} {
		got, err := Time("timeLogged", s)
		if err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("Time(%q) = %v, %v", s, got, err)
		}
	}
	for s, want := range map[string]string{
		"":                          "not an RFC 3339 time",
		"yesterday":                 "not an RFC 3339 time",
		"2016-09-06":                "not an RFC 3339 time",
		"2016-09-06 10:00:00Z":      "not an RFC 3339 time",
		"1473156000":                "not an RFC 3339 time",
		"2016-13-06T10:00:00Z":      "not an RFC 3339 time",
		"2016-02-30T10:00:00Z":      "not an RFC 3339 time",
		"2016-09-06t10:00:00z":      "not an RFC 3339 time",
		"2016-09-06T10:00:00+24:00": "not an RFC 3339 time",
		"10000-01-01T00:00:00Z":     "not an RFC 3339 time",
		"1969-12-31T23:59:59Z":      "dated before 1970-01-01",
		"0001-01-01T00:00:00Z":      "dated before 1970-01-01",
		"0467-05-17T08:00:00+03:00": "dated before 1970-01-01",
		"1969-12-31T23:00:00-05:00": "dated before 1970-01-01", // 04:00Z on 1970-01-01, but dated 1969
		"1970-01-01T00:30:00+01:00": "on 1970-01-01 give the time in UTC",
		"1970-01-01T10:00:00+09:00": "on 1970-01-01 give the time in UTC", // 01:00Z: in range, refused by the date-as-written rule
		"9999-12-31T23:00:00-01:00": "on 9999-12-31 give the time in UTC",
	} {
		_, err := Time("timeLogged", s)
		is400(t, "Time "+s, err, "timeLogged")
		is400(t, "Time "+s, err, want)
	}
}

// timeRule is TimePattern said another way, for the tests: an RFC 3339
// date-time (uppercase T and Z, offset within ±23:59) naming a real calendar
// day from 1970-01-01 to 9999-12-31 as written; on 1970-01-01 the offset is
// not east of UTC, on 9999-12-31 not west of it.
func timeRule(s string) bool {
	m := rfc3339.FindStringSubmatch(s)
	if m == nil {
		return false
	}
	date, offset, sign := m[1], m[2], m[3]
	if _, err := time.Parse(time.DateOnly, date); err != nil || date < "1970-01-01" {
		return false
	}
	zero := offset == "Z" || offset[1:] == "00:00"
	return (date != "1970-01-01" || sign != "+" || zero) && (date != "9999-12-31" || sign != "-" || zero)
}

// rfc3339 is the RFC 3339 date-time grammar, minus lower-case t and z.
var rfc3339 = regexp.MustCompile(`^([0-9]{4}-[0-9]{2}-[0-9]{2})T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?(Z|([+-])(?:[01][0-9]|2[0-3]):[0-5][0-9])$`)

// TestTimePattern checks Time (and so TimePattern, which Time applies)
// against timeRule on times around every boundary, and that every time it
// accepts lies in UTC between 1970 and the end of 9999.
func TestTimePattern(t *testing.T) {
	dates := []string{"0000-01-01", "0001-01-01", "0467-05-17", "1969-12-31", "1970-01-01", "1970-01-02", "1970-01-31",
		"1970-02-01", "1971-01-01", "1999-12-31", "2016-02-29", "2017-02-29", "2016-09-06", "9998-12-31", "9999-01-01",
		"9999-11-30", "9999-12-30", "9999-12-31", "9999-13-01", "2016-00-10", "2016-09-00", "2016-09-31"}
	clocks := []string{"00:00:00", "00:29:59", "09:00:00", "10:00:00.5", "23:59:59", "23:59:59.999999", "23:59:59.9999999999",
		"24:00:00", "23:60:00", "23:59:60", "1:00:00", "10:00:00.", "10:00:00,5"}
	offsets := []string{"Z", "z", "+00:00", "-00:00", "+00:01", "-00:01", "+09:00", "-05:00", "+23:59", "-23:59",
		"+24:00", "-24:00", "+05:60", "+0500", "+5:00", ""}
	for _, d := range dates {
		for _, c := range clocks {
			for _, o := range offsets {
				for _, sep := range []string{"T", "t", " "} {
					s := d + sep + c + o
					at, err := Time("timeLogged", s)
					if want := timeRule(s); want != (err == nil) {
						t.Errorf("Time(%q): error %v, documented as accepted = %v", s, err, want)
					}
					if err != nil {
						want400(t, err)
						continue
					}
					if at.Before(time.Unix(0, 0)) || at.After(MaxTime.Add(999*time.Millisecond)) {
						t.Errorf("Time(%q) = %v: outside 1970 to 9999 in UTC", s, at)
					}
				}
			}
		}
	}
}

// namePattern compiles NamePattern with Go's regexp, which spells \uXXXX as
// \x{XXXX}.
var namePattern = regexp.MustCompile(regexp.MustCompile(`\\u([0-9A-Fa-f]{4})`).ReplaceAllString(NamePattern, `\x{$1}`))

// nameMatchesDocs reports whether the OpenAPI documents (maxLength and
// NamePattern) accept s, for valid UTF-8 s.
func nameMatchesDocs(s string, max int) bool {
	return utf8.RuneCountInString(s) <= max && namePattern.MatchString(s)
}

func TestNamePattern(t *testing.T) {
	for _, s := range []string{
		"Kitchen Beacon", " Kitchen Beacon ", "Ünïcödé ✓", "x", "\u202eevil", "\ufeff",
		"", " ", "\v", "\vx", "x\ty", "\u0085", "\u00a0", "\u00a0x", "\u2028", "\u3000\u2000\u200a",
		"\x7f", "\u009fx", "\x1cx", strings.Repeat("x", 100), strings.Repeat("x", 101),
		"\v" + strings.Repeat("x", 100), " " + strings.Repeat("x", 100),
	} {
		_, err := Name("name", s, 100)
		if docs := nameMatchesDocs(s, 100); docs != (err == nil) {
			t.Errorf("%q: documented as accepted = %v, Name error = %v", s, docs, err)
		}
	}
}
