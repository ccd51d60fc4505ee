package validate

// Differential fuzz targets for the hand-written matchers that replaced a
// regexp and gocql.ParseUUID on the ingest hot path: each must accept
// exactly what its reference accepts.

import (
	"regexp"
	"testing"

	"github.com/gocql/gocql"
)

// timePattern is the reference for matchTimePattern: TimePattern compiled.
var timePattern = regexp.MustCompile(TimePattern)

// canonicalUUIDPattern and gocql.ParseUUID are the reference for
// parseCanonicalUUID (what UUID checked before it).
var canonicalUUIDPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// timeSamples are times around every boundary of TimePattern.
func timeSamples() []string {
	dates := []string{"0000-01-01", "1969-12-31", "1970-00-15", "1970-01-00", "1970-01-01", "1970-01-02", "1970-01-31",
		"1970-01-32", "1970-01-99", "1970-02-01", "1970-12-00", "1970-13-01", "1971-00-00", "1999-99-99", "2016-09-06",
		"8999-01-01", "9899-01-01", "9989-01-01", "9998-12-31", "9999-00-00", "9999-11-99", "9999-12-00", "9999-12-30",
		"9999-12-31", "9999-12-32", "9999-13-01", "197a-01-01", "2016/09/06", "20160-9-06"}
	clocks := []string{"00:00:00", "23:59:59", "10:00:00.5", "10:00:00.123456789", "24:00:00", "19:00:00", "20:00:00",
		"23:60:00", "23:59:60", "1:00:00", "10:00:00.", "10:00:00,5", "10:00", "10:00:00.5.5"}
	offsets := []string{"Z", "z", "+00:00", "-00:00", "+00:01", "-00:01", "+09:00", "-05:00", "+23:59", "-23:59",
		"+24:00", "-24:00", "+05:60", "+0500", "+5:00", "", "Z\n", "ZZ", "+00:00:00"}
	var out []string
	for _, d := range dates {
		for _, c := range clocks {
			for _, o := range offsets {
				out = append(out, d+"T"+c+o)
			}
		}
	}
	return append(out, "", "T", "1970-01-01T00:00:00", "1970-01-01 00:00:00Z", "\n2016-09-06T10:00:00Z")
}

func TestTimePatternMatcher(t *testing.T) {
	for _, s := range timeSamples() {
		if got, want := matchTimePattern(s), timePattern.MatchString(s); got != want {
			t.Errorf("matchTimePattern(%q) = %v, TimePattern says %v", s, got, want)
		}
	}
}

func FuzzTimePatternMatcher(f *testing.F) {
	// A slice of timeSamples: the whole cross product (TestTimePatternMatcher
	// runs it) makes the fuzzer spend its time on baseline coverage.
	samples := timeSamples()
	for i := 0; i < len(samples); i += 97 {
		f.Add(samples[i])
	}
	f.Add("1970-01-01T00:00:00-00:00")
	f.Add("9999-12-31T23:59:59.999+23:59")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := matchTimePattern(s), timePattern.MatchString(s); got != want {
			t.Fatalf("matchTimePattern(%q) = %v, TimePattern says %v", s, got, want)
		}
	})
}

func FuzzCanonicalUUID(f *testing.F) {
	for _, s := range []string{"ce519f95-923c-4532-879e-cd19afa8dda8", "CE519F95-923C-4532-879E-CD19AFA8DDA8",
		"ce519f95923c4532879ecd19afa8dda8", "ce519f95-923c-4532-879e-cd19afa8dda", "ce519f95-923c-4532-879e-cd19afa8ddag",
		"ce519f9-5923c-4532-879e-cd19afa8dda8", "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff",
		"ce519f95-923c-4532-879e-cd19afa8dda8\n", "+e519f95-923c-4532-879e-cd19afa8dda8", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseCanonicalUUID(s)
		want, err := gocql.ParseUUID(s)
		wantOK := canonicalUUIDPattern.MatchString(s) && err == nil
		if ok != wantOK || ok && got != want {
			t.Fatalf("parseCanonicalUUID(%q) = %v, %v; reference %v, %v", s, got, ok, want, wantOK)
		}
	})
}
