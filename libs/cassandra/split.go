package cassandra

import (
	"fmt"
	"strings"
)

// SplitStatements splits a CQL script on the semicolons that end statements.
// It understands what may hide a semicolon: 'strings' (with ” escapes),
// "quoted identifiers", $$function bodies$$, and -- // /* */ comments, which
// it drops. Empty statements are skipped.
func SplitStatements(script string) ([]string, error) {
	var (
		out []string
		cur strings.Builder
	)
	flush := func() {
		if s := strings.TrimSpace(cur.String()); s != "" {
			out = append(out, s)
		}
		cur.Reset()
	}
	for i := 0; i < len(script); {
		c := script[i]
		rest := script[i:]
		switch {
		case c == '\'' || c == '"':
			end := closingQuote(script, i)
			if end < 0 {
				return nil, fmt.Errorf("unterminated %c-quoted text at offset %d", c, i)
			}
			cur.WriteString(script[i : end+1])
			i = end + 1
		case strings.HasPrefix(rest, "$$"):
			end := strings.Index(script[i+2:], "$$")
			if end < 0 {
				return nil, fmt.Errorf("unterminated $$ block at offset %d", i)
			}
			cur.WriteString(script[i : i+2+end+2])
			i += 2 + end + 2
		case strings.HasPrefix(rest, "--") || strings.HasPrefix(rest, "//"):
			nl := strings.IndexByte(rest, '\n')
			if nl < 0 {
				nl = len(rest)
			}
			cur.WriteByte(' ')
			i += nl
		case strings.HasPrefix(rest, "/*"):
			end := strings.Index(rest[2:], "*/")
			if end < 0 {
				return nil, fmt.Errorf("unterminated /* comment at offset %d", i)
			}
			cur.WriteByte(' ')
			i += 2 + end + 2
		case c == ';':
			flush()
			i++
		default:
			cur.WriteByte(c)
			i++
		}
	}
	flush()
	return out, nil
}

// closingQuote returns the index of the quote that closes the one at start;
// a doubled quote inside is an escaped quote.
func closingQuote(s string, start int) int {
	q := s[start]
	for i := start + 1; i < len(s); i++ {
		if s[i] != q {
			continue
		}
		if i+1 < len(s) && s[i+1] == q {
			i++
			continue
		}
		return i
	}
	return -1
}
