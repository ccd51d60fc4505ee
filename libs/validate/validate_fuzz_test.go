package validate

// Fuzz targets for the parsers of untrusted path and body values. Their seed
// corpora (f.Add) run as ordinary tests under `go test` and `bazel test`;
// tools/fuzz-check runs each with -fuzz for a bounded time.

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/find-peers/find-peers/libs/httpx"
)

// want400 fails unless err is an *httpx.Error with status 400 whose message
// is bounded (client input is clipped before it is echoed).
func want400(t *testing.T, err error) {
	t.Helper()
	var he *httpx.Error
	if !errors.As(err, &he) || he.Status != http.StatusBadRequest {
		t.Fatalf("error %v is not a 400 *httpx.Error", err)
	}
	if len(he.Msg) > 400 {
		t.Fatalf("error message is %d bytes: client input not clipped", len(he.Msg))
	}
}

func FuzzUUID(f *testing.F) {
	for _, s := range []string{
		"ce519f95-923c-4532-879e-cd19afa8dda8", "CE519F95-923C-4532-879E-CD19AFA8DDA8",
		"ce519f95923c4532879ecd19afa8dda8", "ce519f95-923c-4532-879e-cd19afa8dda", "",
		"zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz", "ce519f95-923c-4532-879e-cd19afa8dda8\x00",
		"{ce519f95-923c-4532-879e-cd19afa8dda8}", strings.Repeat("-", 36), "' OR 1=1 --",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := UUID("id", s)
		if err != nil {
			want400(t, err)
			return
		}
		// Accepted ids are canonical: they print back as the input, lower-cased.
		if got := u.String(); got != strings.ToLower(s) {
			t.Fatalf("UUID(%q).String() = %q", s, got)
		}
		if again, err := UUID("id", u.String()); err != nil || again != u {
			t.Fatalf("round trip of %q: %v, %v", s, again, err)
		}
	})
}

func FuzzEpochSeconds(f *testing.F) {
	for _, s := range []string{"0", "1473156000", "253402300799", "253402300800", "-1", "+1", " 1", "1e9",
		"00000000000000000001", "999999999999999999999", "9223372036854775808", "1.5", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		at, err := EpochSeconds("t", s)
		if err != nil {
			want400(t, err)
			return
		}
		if at.Location() != time.UTC || at.Before(time.Unix(0, 0)) || at.After(MaxTime) {
			t.Fatalf("EpochSeconds(%q) = %v: out of range or not UTC", s, at)
		}
		want := strings.TrimLeft(s, "0")
		if want == "" {
			want = "0"
		}
		if got := strconv.FormatInt(at.Unix(), 10); got != want {
			t.Fatalf("EpochSeconds(%q).Unix() = %s", s, got)
		}
	})
}

func FuzzTime(f *testing.F) {
	for _, s := range []string{"2016-09-06T10:00:00Z", "2016-09-06T10:00:00.123456789+05:30", "1970-01-01T00:00:00Z",
		"1969-12-31T23:59:59Z", "9999-12-31T23:59:59Z", "9999-12-31T23:59:59.999Z", "10000-01-01T00:00:00Z",
		"2016-09-06 10:00:00Z", "2016-02-30T00:00:00Z", "2016-09-06T10:00:00-23:59", "", "0001-01-01T00:00:00Z",
		"1970-01-01T00:30:00+01:00", "9999-12-31T23:30:00-01:00", "2016-09-06T10:00:00+24:00", "2016-09-06t10:00:00z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		at, err := Time("timeLogged", s)
		if timeRule(s) != (err == nil) {
			t.Fatalf("Time(%q): error %v, but the OpenAPI documents (TimePattern) say accepted = %v", s, err, timeRule(s))
		}
		if err != nil {
			want400(t, err)
			return
		}
		if at.Location() != time.UTC || at.Before(time.Unix(0, 0)) || at.After(MaxTime.Add(999*time.Millisecond)) {
			t.Fatalf("Time(%q) = %v: out of range or not UTC", s, at)
		}
		if at.Nanosecond()%int(time.Millisecond) != 0 {
			t.Fatalf("Time(%q) = %v: not truncated to the millisecond", s, at)
		}
		// What the API answers with parses back to the same instant.
		enc := at.Format(time.RFC3339Nano)
		again, err := Time("timeLogged", enc)
		if err != nil || !again.Equal(at) {
			t.Fatalf("Time(%q) = %v; re-parse of %q: %v, %v", s, at, enc, again, err)
		}
	})
}

func FuzzName(f *testing.F) {
	for _, s := range []string{"Bed Room Beacon", "  Avinash Erupaka  ", "", " \t ", "a\x00b", "a\nb", "\xff\xfe",
		strings.Repeat("é", 100), strings.Repeat("é", 101), "Robert'); DROP TABLE users_by_beacon;--", "\u202eevil",
		"\v" + strings.Repeat("x", 100), "\u00a0\u3000", "\u0085x", "\ufeff"} {
		f.Add(s, 100)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 0 || max > 1000 {
			max = 100
		}
		got, err := Name("name", s, max)
		if utf8.ValidString(s) && nameMatchesDocs(s, max) != (err == nil) {
			t.Fatalf("Name(%q, %d): error %v, but the OpenAPI pattern and maxLength say accepted = %v", s, max, err, nameMatchesDocs(s, max))
		}
		if err != nil {
			want400(t, err)
			return
		}
		if got == "" || got != strings.TrimSpace(got) || !utf8.ValidString(got) || utf8.RuneCountInString(got) > max {
			t.Fatalf("Name(%q, %d) = %q: not a valid trimmed name", s, max, got)
		}
		if strings.ContainsAny(got, "\x00\r\n\x7f") {
			t.Fatalf("Name(%q) = %q contains control characters", s, got)
		}
		if again, err := Name("name", got, max); err != nil || again != got {
			t.Fatalf("Name is not idempotent on %q: %q, %v", got, again, err)
		}
	})
}
