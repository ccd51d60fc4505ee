package validate

// matchTimePattern reports whether TimePattern matches s, without a regular
// expression: Time runs for every sighting of a batch, and the regexp was
// most of its cost. TimePattern stays the definition (the OpenAPI documents
// carry it); FuzzTimePatternMatcher checks the two accept the same strings.
// The layout is fixed up to the fraction, so the date compares as text.
func matchTimePattern(s string) bool {
	const minLen = len("1970-01-01T00:00:00Z")
	if len(s) < minLen || !digits(s[0:4]) || s[4] != '-' || !digits(s[5:7]) || s[7] != '-' ||
		!digits(s[8:10]) || s[10] != 'T' {
		return false
	}
	zone, ok := afterTimeOfDay(s[11:])
	if !ok {
		return false
	}
	switch date := s[:10]; date {
	case "1970-01-01": // UTC or west of it
		return zone == "Z" || validOffset(zone) && (zone[0] == '-' || zone == "+00:00")
	case "9999-12-31": // UTC or east of it
		return zone == "Z" || validOffset(zone) && (zone[0] == '+' || zone == "-00:00")
	default:
		return (zone == "Z" || validOffset(zone)) && dateInRange(date)
	}
}

// dateInRange is TimePattern's first alternative, for a date of digits in
// the layout YYYY-MM-DD: 1971 to 9998 with any two-digit month and day,
// and the parts of 1970 and 9999 that are not their boundary days.
func dateInRange(date string) bool {
	year, month, day := date[0:4], date[5:7], date[8:10]
	switch {
	case year == "1970":
		return "02" <= month && month <= "12" || month == "01" && "02" <= day && day <= "31"
	case year == "9999":
		return month <= "11" || month == "12" && day <= "30"
	}
	return "1971" <= year && year <= "9998"
}

// afterTimeOfDay matches hh:mm:ss with an optional fraction of one or
// more digits at the start of s and returns the rest.
func afterTimeOfDay(s string) (string, bool) {
	if len(s) < len("00:00:00") || !validHour(s[0:2]) || s[2] != ':' || !validMinute(s[3:5]) ||
		s[5] != ':' || !validMinute(s[6:8]) {
		return "", false
	}
	s = s[8:]
	if len(s) == 0 || s[0] != '.' {
		return s, true
	}
	n := 1
	for n < len(s) && isDigit(s[n]) {
		n++
	}
	return s[n:], n > 1
}

// validOffset matches [+-]hh:mm with hh at most 23.
func validOffset(s string) bool {
	return len(s) == len("+00:00") && (s[0] == '+' || s[0] == '-') && validHour(s[1:3]) && s[3] == ':' &&
		validMinute(s[4:6])
}

// validHour matches 00 to 23.
func validHour(s string) bool {
	return (s[0] == '0' || s[0] == '1') && isDigit(s[1]) || s[0] == '2' && '0' <= s[1] && s[1] <= '3'
}

// validMinute matches 00 to 59 (seconds too: TimePattern has no leap second).
func validMinute(s string) bool {
	return '0' <= s[0] && s[0] <= '5' && isDigit(s[1])
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
