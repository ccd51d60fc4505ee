package httpx

import (
	"net/http"
	"net/http/httptest"
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

func TestUnmarshalStrict(t *testing.T) {
	var dst decodeTarget
	if err := UnmarshalStrict([]byte(`{"name":"a"}`), &dst); err != nil || dst.Name != "a" {
		t.Fatalf("got %+v, %v", dst, err)
	}
	for body, want := range map[string]string{
		`{"nope":1}`:      `unknown field "nope"`,
		`{"name":"a"} {}`: "single JSON value",
		`{"count":"x"}`:   `"count"`,
		``:                "empty",
	} {
		err := AsError(UnmarshalStrict([]byte(body), &dst))
		if err.Status != 400 || !strings.Contains(err.Msg, want) {
			t.Errorf("%q: %d %q, want 400 containing %q", body, err.Status, err.Msg, want)
		}
	}
}
