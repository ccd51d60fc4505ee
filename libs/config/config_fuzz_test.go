package config

// Fuzz target for settings read from untrusted-ish sources (environment
// variables of a container, command lines): parsing never panics, every
// error names the setting, and list values round-trip.

import (
	"io"
	"strings"
	"testing"
	"time"
)

func FuzzParse(f *testing.F) {
	f.Add("127.0.0.1:8081", "10", "true", "5s", "a, b ,,c", "-timeout=1m")
	f.Add("", "", "", "", "", "")
	f.Add("[::1]:99999", "0x10", "maybe", "5", ",,,", "-count")
	f.Add("host", " 7 ", "1", "-3s", "x", "-nope=1")
	f.Add(":", "99999999999999999999", "T", "1h1h1h", "\x00", "--addr=:80")
	f.Fuzz(func(t *testing.T, addr, count, on, timeout, items, arg string) {
		env := map[string]string{"SVC_ADDR": addr, "SVC_COUNT": count, "SVC_ON": on, "SVC_TIMEOUT": timeout, "SVC_LIST": items}
		s := NewWithLookup("svc", "SVC", func(k string) (string, bool) { v, ok := env[k]; return v, ok })
		s.SetOutput(io.Discard)
		a := s.String("addr", "127.0.0.1:1", "")
		n := s.Int("count", 1, "")
		_ = s.Bool("on", false, "")
		d := s.Duration("timeout", time.Second, "")
		l := s.List("list", nil, "")
		s.Validate("addr", func() error { return HostPort(*a) })
		s.Validate("count", func() error { return Positive(*n) })
		s.Validate("timeout", func() error { return Positive(*d) })
		err := s.Parse([]string{arg})
		if err != nil {
			msg := err.Error()
			if !strings.Contains(msg, "SVC_") && !strings.Contains(msg, "flag") && !strings.Contains(msg, "-") {
				t.Fatalf("error does not name the setting: %v", err)
			}
			return
		}
		for _, v := range *l {
			if v == "" || v != strings.TrimSpace(v) || strings.Contains(v, ",") {
				t.Fatalf("list element %q not trimmed/split", v)
			}
		}
		// A list re-joined and re-read is the same list.
		joined := strings.Join(*l, ",")
		s2 := NewWithLookup("svc", "SVC", func(k string) (string, bool) { return joined, k == "SVC_LIST" })
		s2.SetOutput(io.Discard)
		again := s2.List("list", nil, "")
		if err := s2.Parse(nil); err != nil || strings.Join(*again, ",") != joined {
			t.Fatalf("list round trip: %q -> %q, %v", *l, *again, err)
		}
		if HostPort(*a) != nil || *n <= 0 || *d <= 0 {
			t.Fatalf("Parse accepted values its validators reject: %q %d %v", *a, *n, *d)
		}
	})
}
