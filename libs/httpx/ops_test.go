package httpx

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestOpsEndpointsAndChain(t *testing.T) {
	ops := Ops{
		OpenAPI:      []byte("openapi: 3.0.3\n"),
		Registry:     NewRegistry(),
		ReadyTimeout: time.Second,
		Checks:       []Check{{Name: "dep", Fn: func(context.Context) error { return errors.New("down") }}},
	}
	router := ops.Router()
	router.HandleFunc("/boom", func(http.ResponseWriter, *http.Request) { panic("boom") })
	router.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) { _, _ = io.Copy(w, r.Body) }).Methods(http.MethodPost)
	srv := httptest.NewServer(ops.Handler(router, slog.New(slog.DiscardHandler), LimitBody(4, "")))
	defer srv.Close()

	for _, tt := range []struct {
		method, path, body string
		status             int
		header, value      string
	}{
		{"GET", "/healthz", "", 200, "Content-Type", "application/json"},
		{"GET", "/readyz", "", 503, "Content-Type", "application/json"},
		{"GET", "/openapi.yaml", "", 200, "Cache-Control", "no-cache"},
		{"GET", "/metrics", "", 200, "", ""},
		{"GET", "/boom", "", 500, "Content-Type", "application/json"},
		{"POST", "/echo", "too long", 413, "Content-Type", "application/json"},
		{"GET", "/nothing", "", 404, "Content-Type", "application/json"},
	} {
		req, _ := http.NewRequest(tt.method, srv.URL+tt.path, strings.NewReader(tt.body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status || (tt.header != "" && resp.Header.Get(tt.header) != tt.value) {
			t.Errorf("%s %s: %d %s=%q %s", tt.method, tt.path, resp.StatusCode, tt.header, resp.Header.Get(tt.header), b)
		}
		if resp.Header.Get(RequestIDHeader) == "" {
			t.Errorf("%s %s: no request id", tt.method, tt.path)
		}
	}
	// The metrics middleware records into the registry /metrics serves.
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if b, _ := io.ReadAll(resp.Body); !strings.Contains(string(b), `route="/healthz"`) {
		t.Errorf("/metrics lacks the /healthz requests")
	}
}
