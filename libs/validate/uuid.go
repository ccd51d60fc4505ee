package validate

import "github.com/gocql/gocql"

// parseCanonicalUUID parses the canonical form (8-4-4-4-12 hex digits,
// either case) in one pass and without allocating; gocql.ParseUUID, which
// UUID used before, is laxer about hyphens, so it needed a second check.
// FuzzCanonicalUUID checks it against that pair.
func parseCanonicalUUID(s string) (u gocql.UUID, ok bool) {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, false
	}
	for i, at := range uuidHexAt {
		hi, lo := unhex[s[at]], unhex[s[at+1]]
		if (hi | lo) == 0xff {
			return gocql.UUID{}, false
		}
		u[i] = hi<<4 | lo
	}
	return u, true
}

// uuidHexAt is where each byte's two hex digits start in the canonical form.
var uuidHexAt = [16]int{0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34}

// unhex maps a hex digit to its value and anything else to 0xff.
var unhex = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = byte(c - 'a' + 10)
		t[c-'a'+'A'] = byte(c - 'a' + 10)
	}
	return t
}()
