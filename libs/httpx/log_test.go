package httpx

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestAccessLogLine(t *testing.T) {
	var buf bytes.Buffer
	logger := NewJSONLogger(&buf, slog.LevelInfo)
	router := NewRouter()
	router.HandleFunc("/things/{id}", func(w http.ResponseWriter, r *http.Request) {
		LoggerFrom(r.Context()).Info("inside handler")
		w.WriteHeader(http.StatusAccepted)
		_, _ = w.Write([]byte("hello"))
	})
	h := Chain(router, RequestID, AccessLog(logger))

	r := httptest.NewRequest(http.MethodPost, "/things/7", nil)
	r.Header.Set(RequestIDHeader, "rid-1")
	h.ServeHTTP(httptest.NewRecorder(), r)

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 log lines, got %q", buf.String())
	}
	var inner map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &inner); err != nil {
		t.Fatal(err)
	}
	if inner["request_id"] != "rid-1" {
		t.Errorf("handler log line lacks request_id: %s", lines[0])
	}
	var line map[string]any
	if err := json.Unmarshal([]byte(lines[1]), &line); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"msg": "http request", "method": "POST", "path": "/things/7", "route": "/things/{id}",
		"status": float64(202), "bytes": float64(5), "request_id": "rid-1",
	}
	for k, v := range want {
		if line[k] != v {
			t.Errorf("%s = %v, want %v (line %s)", k, line[k], v, lines[1])
		}
	}
	if _, ok := line["duration_ms"].(float64); !ok {
		t.Errorf("duration_ms missing: %s", lines[1])
	}
}

func TestAccessLogQuietsProbes(t *testing.T) {
	var buf bytes.Buffer
	h := Chain(http.HandlerFunc(Healthz), RequestID, AccessLog(NewJSONLogger(&buf, slog.LevelInfo)))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if buf.Len() != 0 {
		t.Errorf("successful /healthz logged at info: %s", buf.String())
	}
}

func TestLoggerFromDefault(t *testing.T) {
	if LoggerFrom(httptest.NewRequest(http.MethodGet, "/", nil).Context()) != slog.Default() {
		t.Error("LoggerFrom without a logger should be slog.Default()")
	}
}
