package httpx

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// recordSpans installs a recording tracer provider and the W3C propagator
// (what libs/tracing does with tracing on) for one test.
func recordSpans(t *testing.T) *tracetest.SpanRecorder {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp, prop := otel.GetTracerProvider(), otel.GetTextMapPropagator()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
	otel.SetTextMapPropagator(propagation.TraceContext{})
	t.Cleanup(func() { otel.SetTracerProvider(tp); otel.SetTextMapPropagator(prop) })
	return rec
}

const callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736"

// TestTraceContinuesCallerAndNamesRoute: a request with a traceparent gets a
// server span in the caller's trace (not a new one), named after the route,
// and its access log line carries the trace and span ids; an upstream call
// made by the handler is a child client span and sends its own traceparent.
func TestTraceContinuesCallerAndNamesRoute(t *testing.T) {
	rec := recordSpans(t)
	var sent string
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sent = r.Header.Get("traceparent")
	}))
	defer upstream.Close()
	client := &http.Client{Transport: Traced(http.DefaultTransport)}

	var logs bytes.Buffer
	ops := Ops{Registry: NewRegistry()}
	router := ops.Router()
	router.HandleFunc("/things/{id}", func(w http.ResponseWriter, r *http.Request) {
		req, _ := http.NewRequestWithContext(r.Context(), http.MethodGet, upstream.URL+"/x", nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Error(err)
			return
		}
		resp.Body.Close()
	})
	h := ops.Handler(router, NewJSONLogger(&logs, slog.LevelInfo))
	r := httptest.NewRequest(http.MethodGet, "/things/7", nil)
	r.Header.Set("traceparent", "00-"+callerTrace+"-00f067aa0ba902b7-01")
	h.ServeHTTP(httptest.NewRecorder(), r)

	spans := rec.Ended()
	if len(spans) != 2 {
		t.Fatalf("got %d spans, want the server and the client span", len(spans))
	}
	client0, server := spans[0], spans[1]
	if server.Name() != "GET /things/{id}" || server.SpanKind() != trace.SpanKindServer {
		t.Errorf("server span %q (%v), want %q", server.Name(), server.SpanKind(), "GET /things/{id}")
	}
	if got := server.SpanContext().TraceID().String(); got != callerTrace {
		t.Errorf("server span trace %s, want the caller's %s", got, callerTrace)
	}
	if server.Parent().SpanID().String() != "00f067aa0ba902b7" {
		t.Errorf("server span parent %s, want the caller's span", server.Parent().SpanID())
	}
	if client0.Parent().SpanID() != server.SpanContext().SpanID() || client0.SpanKind() != trace.SpanKindClient {
		t.Errorf("client span %q is not a child client span of the server span", client0.Name())
	}
	if want := "00-" + callerTrace + "-" + client0.SpanContext().SpanID().String() + "-01"; sent != want {
		t.Errorf("upstream got traceparent %q, want %q", sent, want)
	}
	var line map[string]any
	if err := json.Unmarshal([]byte(strings.TrimSpace(logs.String())), &line); err != nil {
		t.Fatalf("access log: %v (%q)", err, logs.String())
	}
	if line["trace_id"] != callerTrace || line["span_id"] != server.SpanContext().SpanID().String() {
		t.Errorf("access log line %v lacks the trace and span ids", line)
	}
}

// TestTraceSkipsProbes: /healthz, /readyz and /metrics make no spans.
func TestTraceSkipsProbes(t *testing.T) {
	rec := recordSpans(t)
	ops := Ops{Registry: NewRegistry()}
	h := ops.Handler(ops.Router(), NewJSONLogger(&bytes.Buffer{}, slog.LevelInfo))
	for _, p := range []string{"/healthz", "/readyz", "/metrics"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, p, nil))
	}
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/openapi.yaml", nil))
	var names []string
	for _, s := range rec.Ended() {
		names = append(names, s.Name())
	}
	if strings.Join(names, ",") != "GET /openapi.yaml" {
		t.Errorf("spans %q, want only GET /openapi.yaml", names)
	}
}

// TestTraceOffStillPassesCallerTrace: with the no-op provider (tracing off)
// a caller's trace id still reaches the logs and the next service.
func TestTraceOffStillPassesCallerTrace(t *testing.T) {
	prop := otel.GetTextMapPropagator()
	otel.SetTextMapPropagator(propagation.TraceContext{})
	t.Cleanup(func() { otel.SetTextMapPropagator(prop) })
	var sent string
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sent = r.Header.Get("traceparent")
	}))
	defer upstream.Close()
	var logs bytes.Buffer
	router := NewRouter()
	router.HandleFunc("/x", func(w http.ResponseWriter, r *http.Request) {
		req, _ := http.NewRequestWithContext(r.Context(), http.MethodGet, upstream.URL, nil)
		if resp, err := (&http.Client{Transport: Traced(http.DefaultTransport)}).Do(req); err == nil {
			resp.Body.Close()
		}
	})
	h := Chain(router, Trace, RequestID, AccessLog(NewJSONLogger(&logs, slog.LevelInfo)))
	r := httptest.NewRequest(http.MethodGet, "/x", nil)
	r.Header.Set("traceparent", "00-"+callerTrace+"-00f067aa0ba902b7-01")
	h.ServeHTTP(httptest.NewRecorder(), r)
	if !strings.Contains(sent, callerTrace) {
		t.Errorf("upstream traceparent %q lacks the caller's trace %s", sent, callerTrace)
	}
	if !strings.Contains(logs.String(), `"trace_id":"`+callerTrace+`"`) {
		t.Errorf("log %q lacks the caller's trace id", logs.String())
	}
}
