package httpx

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func TestRequestIDKeepsSaneIncomingID(t *testing.T) {
	var seen string
	h := RequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = RequestIDFrom(r.Context())
	}))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set(RequestIDHeader, "abc-123_X.y")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if seen != "abc-123_X.y" {
		t.Errorf("context id = %q", seen)
	}
	if got := rec.Header().Get(RequestIDHeader); got != "abc-123_X.y" {
		t.Errorf("response id = %q", got)
	}
}

func TestRequestIDReplacesInsaneIncomingID(t *testing.T) {
	for name, id := range map[string]string{
		"missing":   "",
		"too long":  strings.Repeat("a", maxRequestIDLen+1),
		"space":     "a b",
		"newline":   "a\nb",
		"non-ascii": "héllo",
		"control":   "a\x00b",
	} {
		t.Run(name, func(t *testing.T) {
			var seen, forwarded string
			h := RequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen = RequestIDFrom(r.Context())
				forwarded = r.Header.Get(RequestIDHeader)
			}))
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			if id != "" {
				r.Header[RequestIDHeader] = []string{id}
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if seen == id || !ValidRequestID(seen) {
				t.Errorf("context id = %q, want a fresh valid id", seen)
			}
			if got := rec.Header().Get(RequestIDHeader); got != seen {
				t.Errorf("response id = %q, context id = %q", got, seen)
			}
			if forwarded != seen {
				t.Errorf("request header = %q, context id = %q", forwarded, seen)
			}
		})
	}
}

// TestRequestIDPattern keeps the documented pattern equal to ValidRequestID.
func TestRequestIDPattern(t *testing.T) {
	re := regexp.MustCompile(RequestIDPattern)
	check := func(id string) {
		t.Helper()
		if re.MatchString(id) != ValidRequestID(id) {
			t.Errorf("%q: pattern says %v, ValidRequestID %v", id, re.MatchString(id), ValidRequestID(id))
		}
	}
	for c := range 256 {
		check(string([]byte{byte(c)}))
		check("a" + string([]byte{byte(c)}) + "b")
	}
	for _, n := range []int{0, 1, 127, 128, 129, 1000} {
		check(strings.Repeat("x", n))
	}
	check("héllo")
	check(NewRequestID())
}

func TestNewRequestIDIsUniqueAndValid(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := NewRequestID()
		if !ValidRequestID(id) {
			t.Fatalf("invalid id %q", id)
		}
		if seen[id] {
			t.Fatalf("duplicate id %q", id)
		}
		seen[id] = true
	}
}

func TestRequestIDFromEmptyContext(t *testing.T) {
	if id := RequestIDFrom(context.Background()); id != "" {
		t.Errorf("id = %q", id)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestTransportForwardsRequestID(t *testing.T) {
	var got string
	tr := &Transport{Base: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		got = r.Header.Get(RequestIDHeader)
		return &http.Response{StatusCode: 200, Body: http.NoBody, Request: r}, nil
	})}
	ctx := WithRequestID(context.Background(), "req-1")
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://upstream/x", nil)
	if _, err := tr.RoundTrip(req); err != nil {
		t.Fatal(err)
	}
	if got != "req-1" {
		t.Errorf("upstream saw id %q", got)
	}
	if req.Header.Get(RequestIDHeader) != "" {
		t.Error("RoundTrip modified the caller's request")
	}

	// An explicit header wins over the context.
	req.Header.Set(RequestIDHeader, "explicit")
	if _, err := tr.RoundTrip(req); err != nil {
		t.Fatal(err)
	}
	if got != "explicit" {
		t.Errorf("upstream saw id %q, want explicit", got)
	}

	// No id in the context: no header.
	req, _ = http.NewRequest(http.MethodGet, "http://upstream/x", nil)
	if _, err := tr.RoundTrip(req); err != nil {
		t.Fatal(err)
	}
	if got != "" {
		t.Errorf("upstream saw id %q, want none", got)
	}
}

func TestNewClientEndToEnd(t *testing.T) {
	upstream := httptest.NewServer(RequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(RequestIDFrom(r.Context())))
	})))
	defer upstream.Close()

	ctx := WithRequestID(context.Background(), "trace-me")
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, upstream.URL, nil)
	resp, err := NewClient(0).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if got := resp.Header.Get(RequestIDHeader); got != "trace-me" {
		t.Errorf("upstream used id %q", got)
	}
}
