package httpx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
)

func decodeErrorBody(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type = %q, want application/json", ct)
	}
	var body struct {
		Error *string `json:"error"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("error body %q is not JSON: %v", rec.Body.String(), err)
	}
	if body.Error == nil {
		t.Fatalf("error body %q has no \"error\" field", rec.Body.String())
	}
	return *body.Error
}

func TestWriteJSON(t *testing.T) {
	rec := httptest.NewRecorder()
	if err := WriteJSON(rec, http.StatusCreated, map[string]int{"count": 3}); err != nil {
		t.Fatal(err)
	}
	if rec.Code != http.StatusCreated {
		t.Errorf("status = %d, want 201", rec.Code)
	}
	if got, want := rec.Body.String(), "{\"count\":3}\n"; got != want {
		t.Errorf("body = %q, want %q", got, want)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	if cl := rec.Header().Get("Content-Length"); cl != fmt.Sprint(rec.Body.Len()) {
		t.Errorf("Content-Length = %q, body is %d bytes", cl, rec.Body.Len())
	}
}

func TestWriteJSONUnencodableIs500(t *testing.T) {
	rec := httptest.NewRecorder()
	if err := WriteJSON(rec, http.StatusOK, math.Inf(1)); err == nil {
		t.Fatal("WriteJSON(+Inf) succeeded, want an error")
	}
	if rec.Code != http.StatusInternalServerError {
		t.Errorf("status = %d, want 500", rec.Code)
	}
	if msg := decodeErrorBody(t, rec); msg != "internal error" {
		t.Errorf("error = %q", msg)
	}
}

func TestWriteError(t *testing.T) {
	rec := httptest.NewRecorder()
	WriteError(rec, http.StatusBadRequest, "bad beaconId")
	if rec.Code != http.StatusBadRequest {
		t.Errorf("status = %d", rec.Code)
	}
	if msg := decodeErrorBody(t, rec); msg != "bad beaconId" {
		t.Errorf("error = %q", msg)
	}

	rec = httptest.NewRecorder()
	WriteError(rec, http.StatusTeapot, "")
	if msg := decodeErrorBody(t, rec); msg != http.StatusText(http.StatusTeapot) {
		t.Errorf("empty message: error = %q, want status text", msg)
	}
}

func TestWriteErrMapsErrors(t *testing.T) {
	secret := errors.New("connection to 10.0.0.7:9042 refused")
	tests := []struct {
		name    string
		err     error
		status  int
		message string
	}{
		{"typed", Errorf(http.StatusConflict, "beacon %s exists", "x"), 409, "beacon x exists"},
		{"wrapped typed", fmt.Errorf("put beacon: %w", NotFound("no beacon")), 404, "no beacon"},
		{"typed with cause hides cause", Wrap(http.StatusServiceUnavailable, "store unavailable", secret), 503, "store unavailable"},
		{"typed without message", &Error{Status: http.StatusBadGateway}, 502, "Bad Gateway"},
		{"typed with bogus status", &Error{Status: 200, Msg: "fine"}, 500, "internal error"},
		{"deadline", fmt.Errorf("query: %w", context.DeadlineExceeded), 504, "timed out"},
		{"canceled", context.Canceled, StatusClientClosedRequest, "request canceled"},
		{"plain hides details", secret, 500, "internal error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			WriteErr(rec, httptest.NewRequest(http.MethodGet, "/x", nil), tt.err)
			if rec.Code != tt.status {
				t.Errorf("status = %d, want %d", rec.Code, tt.status)
			}
			if msg := decodeErrorBody(t, rec); msg != tt.message {
				t.Errorf("error = %q, want %q", msg, tt.message)
			}
		})
	}
}

func TestErrorUnwraps(t *testing.T) {
	cause := errors.New("cause")
	err := fmt.Errorf("outer: %w", Wrap(http.StatusServiceUnavailable, "unavailable", cause))
	if !errors.Is(err, cause) {
		t.Error("errors.Is does not reach the cause through *Error")
	}
	if got := AsError(err).Status; got != 503 {
		t.Errorf("status = %d", got)
	}
}

func TestHandlerFuncWritesReturnedError(t *testing.T) {
	h := HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		return BadRequest("nope")
	})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != 400 || decodeErrorBody(t, rec) != "nope" {
		t.Errorf("got %d %q", rec.Code, rec.Body.String())
	}

	ok := HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		return WriteJSON(w, http.StatusOK, []int{})
	})
	rec = httptest.NewRecorder()
	ok.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != 200 || rec.Body.String() != "[]\n" {
		t.Errorf("got %d %q", rec.Code, rec.Body.String())
	}
}
