package tracing

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

func env(kv map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := kv[k]; return v, ok }
}

// resetGlobals puts the global provider and propagator back after a test.
func resetGlobals(t *testing.T) {
	tp, prop := otel.GetTracerProvider(), otel.GetTextMapPropagator()
	t.Cleanup(func() { otel.SetTracerProvider(tp); otel.SetTextMapPropagator(prop) })
}

func TestSetupOffInstallsNoProvider(t *testing.T) {
	for name, vars := range map[string]map[string]string{
		"unset":    {},
		"none":     {"OTEL_TRACES_EXPORTER": "none"},
		"disabled": {"OTEL_TRACES_EXPORTER": "zipkin", "OTEL_SDK_DISABLED": "TRUE"},
	} {
		t.Run(name, func(t *testing.T) {
			resetGlobals(t)
			shutdown, err := Setup("beacon", env(vars))
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := otel.GetTracerProvider().(*sdktrace.TracerProvider); ok {
				t.Error("tracing is off, but an SDK tracer provider was installed")
			}
			if err := shutdown(context.Background()); err != nil {
				t.Error(err)
			}
			// The trace context is still accepted and passed on.
			if fields := strings.Join(otel.GetTextMapPropagator().Fields(), ","); !strings.Contains(fields, "traceparent") || !strings.Contains(fields, "baggage") {
				t.Errorf("propagator fields = %v, want traceparent", otel.GetTextMapPropagator().Fields())
			}
		})
	}
}

func TestSetupRejectsUnknownExporter(t *testing.T) {
	resetGlobals(t)
	_, err := Setup("beacon", env(map[string]string{"OTEL_TRACES_EXPORTER": "jaeger"}))
	if err == nil || !strings.Contains(err.Error(), `OTEL_TRACES_EXPORTER="jaeger": this build supports none, zipkin`) {
		t.Errorf("err = %v", err)
	}
}

// TestSetupZipkinExports sends a span to a Zipkin endpoint (a real HTTP
// server reading the Zipkin v2 JSON) and finds it there, named by service.
func TestSetupZipkinExports(t *testing.T) {
	resetGlobals(t)
	var mu sync.Mutex
	var got []map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var spans []map[string]any
		if r.URL.Path != "/api/v2/spans" || json.Unmarshal(body, &spans) != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		mu.Lock()
		got = append(got, spans...)
		mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	t.Setenv("OTEL_EXPORTER_ZIPKIN_ENDPOINT", srv.URL+"/api/v2/spans")
	t.Setenv("OTEL_SERVICE_NAME", "")
	shutdown, err := Setup("beacon", env(map[string]string{"OTEL_TRACES_EXPORTER": "zipkin"}))
	if err != nil {
		t.Fatal(err)
	}
	_, span := Tracer().Start(context.Background(), "beacon migrate")
	span.End()
	if err := shutdown(context.Background()); err != nil { // flushes
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 {
		t.Fatalf("zipkin got %d spans, want 1: %v", len(got), got)
	}
	local, _ := got[0]["localEndpoint"].(map[string]any)
	if got[0]["name"] != "beacon migrate" || local["serviceName"] != "beacon" {
		t.Errorf("span = %v, want name %q from service beacon", got[0], "beacon migrate")
	}
}
