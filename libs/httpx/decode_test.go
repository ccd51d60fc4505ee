package httpx

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

type decodeTarget struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

func TestDecodeJSON(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		body        string
		max         int64
		status      int    // 0 = success
		msgContains string // part of the client message
	}{
		{name: "ok", contentType: "application/json", body: `{"name":"a","count":2}`},
		{name: "ok with charset", contentType: "application/json; charset=UTF-8", body: `{"name":"a"}`},
		{name: "ok trailing whitespace", contentType: "application/json", body: "{\"name\":\"a\"}\n\t "},
		{name: "missing content type", body: `{}`, status: 415, msgContains: "application/json"},
		{name: "wrong content type", contentType: "text/plain", body: `{}`, status: 415, msgContains: "text/plain"},
		{name: "form content type", contentType: "application/x-www-form-urlencoded", body: `name=a`, status: 415},
		{name: "bad charset", contentType: "application/json; charset=latin1", body: `{}`, status: 415, msgContains: "utf-8"},
		{name: "malformed content type", contentType: "application/json; =", body: `{}`, status: 415},
		{name: "too large", contentType: "application/json", body: `{"name":"` + strings.Repeat("x", 100) + `"}`, max: 64, status: 413, msgContains: "64 bytes"},
		{name: "too large after value", contentType: "application/json", body: `{"name":"a"}` + strings.Repeat(" ", 100), max: 30, status: 413},
		{name: "unknown field", contentType: "application/json", body: `{"name":"a","colour":"red"}`, status: 400, msgContains: `"colour"`},
		{name: "trailing value", contentType: "application/json", body: `{"name":"a"}{"name":"b"}`, status: 400, msgContains: "single JSON value"},
		{name: "trailing garbage", contentType: "application/json", body: `{"name":"a"} x`, status: 400, msgContains: "single JSON value"},
		{name: "empty", contentType: "application/json", body: ``, status: 400, msgContains: "empty"},
		{name: "truncated", contentType: "application/json", body: `{"name":`, status: 400, msgContains: "truncated"},
		{name: "syntax", contentType: "application/json", body: `{name:"a"}`, status: 400, msgContains: "malformed JSON"},
		{name: "wrong type", contentType: "application/json", body: `{"count":"three"}`, status: 400, msgContains: `"count"`},
		{name: "wrong top-level type", contentType: "application/json", body: `[1,2]`, status: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tt.body))
			if tt.contentType != "" {
				r.Header.Set("Content-Type", tt.contentType)
			}
			var dst decodeTarget
			err := DecodeJSON(r, &dst, tt.max)
			if tt.status == 0 {
				if err != nil {
					t.Fatalf("DecodeJSON: %v", err)
				}
				if dst.Name != "a" {
					t.Errorf("decoded %+v", dst)
				}
				return
			}
			if err == nil {
				t.Fatalf("DecodeJSON succeeded with %+v, want status %d", dst, tt.status)
			}
			e := AsError(err)
			if e.Status != tt.status {
				t.Errorf("status = %d (%q), want %d", e.Status, e.Msg, tt.status)
			}
			if !strings.Contains(e.Msg, tt.msgContains) {
				t.Errorf("message %q does not contain %q", e.Msg, tt.msgContains)
			}
		})
	}
}

func TestDecodeJSONDefaultLimit(t *testing.T) {
	big := `{"name":"` + strings.Repeat("x", DefaultMaxBody) + `"}`
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(big))
	r.Header.Set("Content-Type", "application/json")
	var dst decodeTarget
	if got := AsError(DecodeJSON(r, &dst, 0)).Status; got != 413 {
		t.Errorf("status = %d, want 413 with the default limit", got)
	}
}

func TestDecodeJSONEchoIsBounded(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("{}"))
	r.Header.Set("Content-Type", "text/"+strings.Repeat("x", 10000))
	err := AsError(DecodeJSON(r, &decodeTarget{}, 0))
	if len(err.Msg) > 200 {
		t.Errorf("message echoes %d bytes of client input", len(err.Msg))
	}
}

func TestDecodeJSONOneOrMany(t *testing.T) {
	decode := func(body string, max int64) ([]decodeTarget, bool, *Error) {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		items, array, err := DecodeJSONOneOrMany[decodeTarget](r, max, "a target object")
		if err != nil {
			return items, array, AsError(err)
		}
		return items, array, nil
	}
	for body, want := range map[string]struct {
		names []string
		array bool
	}{
		`{"name":"a"}`:                {[]string{"a"}, false},
		" \t\r\n{\"name\":\"a\"}\n":   {[]string{"a"}, false},
		`[{"name":"a"},{"name":"b"}]`: {[]string{"a", "b"}, true},
		`  [ ]  `:                     {nil, true},
		`[{"name":"a"},{"count":2}]`:  {[]string{"a", ""}, true},
	} {
		items, array, err := decode(body, 0)
		if err != nil {
			t.Errorf("%q: %v", body, err)
			continue
		}
		var names []string
		for _, it := range items {
			names = append(names, it.Name)
		}
		if array != want.array || !slices.Equal(names, want.names) {
			t.Errorf("%q = %q (array %v), want %q (array %v)", body, names, array, want.names, want.array)
		}
	}
	for _, c := range []struct {
		body   string
		max    int64
		status int
		want   string
	}{
		{`{"nope":1}`, 0, 400, `unknown field "nope"`},
		{`[{"name":"a","nope":1}]`, 0, 400, `unknown field "nope"`},
		{`{"name":"a"} {}`, 0, 400, "single JSON value"},
		{`[] []`, 0, 400, "single JSON value"},
		{`{"count":"x"}`, 0, 400, `"count"`},
		{``, 0, 400, "empty"},
		{"  \n ", 0, 400, "empty"},
		{`[{"name":"a"`, 0, 400, "truncated"},
		{`"a"`, 0, 400, "body must be a target object or an array of them"},
		{`null`, 0, 400, "body must be a target object or an array of them"},
		{`[{"name":"` + strings.Repeat("x", 100) + `"}]`, 64, 413, "larger than 64 bytes"},
		{strings.Repeat(" ", 100) + `{}`, 64, 413, "larger than 64 bytes"},
	} {
		_, _, err := decode(c.body, c.max)
		if err == nil || err.Status != c.status || !strings.Contains(err.Msg, c.want) {
			t.Errorf("%.40q: %v, want %d containing %q", c.body, err, c.status, c.want)
		}
	}
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{}`))
	r.Header.Set("Content-Type", "text/plain")
	if _, _, err := DecodeJSONOneOrMany[decodeTarget](r, 0, "x"); AsError(err).Status != 415 {
		t.Errorf("text/plain: %v, want 415", err)
	}
}
