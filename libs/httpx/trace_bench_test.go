package httpx

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// countingExporter stands for Zipkin: it counts the spans it is given and
// drops them, so the benchmark measures what the service spends (spans
// made, sampled, batched), not an exporter's encoding or network.
type countingExporter struct{ spans atomic.Int64 }

func (e *countingExporter) ExportSpans(_ context.Context, s []sdktrace.ReadOnlySpan) error {
	e.spans.Add(int64(len(s)))
	return nil
}
func (e *countingExporter) Shutdown(context.Context) error { return nil }

// BenchmarkHandlerChainTracing is a request through the whole middleware
// chain every service serves (Ops.Handler: trace, request id, access log,
// metrics, recovery) to a small JSON route, with tracing as libs/tracing
// sets it up: off (no tracer provider: spans record nothing), and the SDK
// with the batch processor sampling 10 % and 100 % of new traces. Run the
// three side by side (-count 5) and compare ns/op as ratios to "off".
func BenchmarkHandlerChainTracing(b *testing.B) {
	for _, mode := range []struct {
		name    string
		sampler sdktrace.Sampler // nil: tracing off
	}{
		{"off", nil},
		{"10pct", sdktrace.ParentBased(sdktrace.TraceIDRatioBased(0.1))},
		{"100pct", sdktrace.ParentBased(sdktrace.AlwaysSample())},
	} {
		b.Run(mode.name, func(b *testing.B) {
			exp := &countingExporter{}
			prev := otel.GetTracerProvider()
			otel.SetTextMapPropagator(propagation.TraceContext{})
			var shutdown func(context.Context) error
			if mode.sampler == nil {
				otel.SetTracerProvider(noop.NewTracerProvider())
			} else {
				tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithSampler(mode.sampler))
				otel.SetTracerProvider(tp)
				shutdown = tp.Shutdown
			}
			defer otel.SetTracerProvider(prev)

			ops := Ops{Registry: prometheus.NewRegistry()}
			router := ops.Router()
			router.Handle("/items/{id}", HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
				return WriteJSON(w, http.StatusOK, map[string]string{"id": "7"})
			})).Methods(http.MethodGet)
			h := ops.Handler(router, slog.New(slog.NewTextHandler(io.Discard, nil)))
			req := httptest.NewRequest(http.MethodGet, "/items/7", nil)

			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d", rec.Code)
				}
			}
			b.StopTimer()
			if shutdown != nil {
				if err := shutdown(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(exp.spans.Load())/float64(b.N), "spans/op")
		})
	}
}
