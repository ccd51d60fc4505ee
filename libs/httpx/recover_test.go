package httpx

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestRecoverTurnsPanicInto500(t *testing.T) {
	h := Chain(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "/somewhere")
		panic("boom")
	}), RequestID, Recover)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != 500 {
		t.Errorf("status = %d", rec.Code)
	}
	if msg := decodeErrorBody(t, rec); msg != "internal error" {
		t.Errorf("error = %q", msg)
	}
	if rec.Header().Get("Location") != "" {
		t.Error("the panicking handler's headers leaked into the 500")
	}
	if rec.Header().Get(RequestIDHeader) == "" {
		t.Error("request id dropped from the 500")
	}
}

func TestRecoverAbortsStartedResponse(t *testing.T) {
	h := Recover(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("partial"))
		panic("boom")
	}))
	defer func() {
		if p := recover(); p != http.ErrAbortHandler {
			t.Errorf("recovered %v, want http.ErrAbortHandler", p)
		}
	}()
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	t.Error("no panic after a started response")
}

func TestRecoverPassesAbortHandler(t *testing.T) {
	h := Recover(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic(http.ErrAbortHandler) }))
	defer func() {
		if p := recover(); p != http.ErrAbortHandler {
			t.Errorf("recovered %v", p)
		}
	}()
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
}

func TestRecoverOverRealServer(t *testing.T) {
	srv := httptest.NewServer(Recover(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic("boom") })))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 500 {
		t.Errorf("status = %d", resp.StatusCode)
	}
}
