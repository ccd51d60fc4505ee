package httpx

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestLimitBody(t *testing.T) {
	// read reports how much of the body the handler could read.
	read := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := io.Copy(io.Discard, r.Body)
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			WriteError(w, http.StatusRequestEntityTooLarge, "cut")
			return
		}
		_ = WriteJSON(w, http.StatusOK, map[string]int64{"read": n})
	})
	for _, tt := range []struct {
		name    string
		n       int64
		message string
		body    string
		chunked bool
		status  int
		want    string // the error, or "" for 200
	}{
		{name: "within", n: 8, body: "12345678", status: 200},
		{name: "declared too large", n: 8, body: "123456789", status: 413, want: "request body larger than 8 bytes"},
		{name: "own message", n: 8, message: "request body too large", body: "123456789", status: 413, want: "request body too large"},
		{name: "chunked too large is cut", n: 8, body: "123456789", chunked: true, status: 413, want: "cut"},
		{name: "default limit", n: 0, body: strings.Repeat("x", DefaultMaxBody+1), status: 413, want: "request body larger than 1048576 bytes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader = strings.NewReader(tt.body)
			if tt.chunked {
				body = io.MultiReader(body) // hides the length: ContentLength -1
			}
			req := httptest.NewRequest(http.MethodPost, "/", body)
			rec := httptest.NewRecorder()
			LimitBody(tt.n, tt.message)(read).ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if tt.want == "" {
				return
			}
			var e struct{ Error string }
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error != tt.want {
				t.Errorf("error %q (%v), want %q", e.Error, err, tt.want)
			}
		})
	}
}
