// Package tracing sets up OpenTelemetry tracing for a service from the
// standard OTEL_* variables, and names the tracer every package uses.
//
//	OTEL_TRACES_EXPORTER           none (default) or zipkin
//	OTEL_SDK_DISABLED=true         same as none
//	OTEL_EXPORTER_ZIPKIN_ENDPOINT  default http://localhost:9411/api/v2/spans
//	OTEL_SERVICE_NAME              default: the service's own name
//	OTEL_TRACES_SAMPLER(_ARG)      e.g. parentbased_traceidratio and 0.1
//	OTEL_BSP_*                     the batch span processor's queue and delay
//
// W3C trace context (traceparent, tracestate) and baggage are accepted and
// passed on in every mode: with tracing off the global tracer makes no spans,
// but a caller's trace id still reaches the next service.
package tracing

import (
	"context"
	"fmt"
	"strings"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/zipkin"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// Name is the instrumentation scope of this repository's own spans.
const Name = "github.com/find-peers/find-peers"

// Tracer is the tracer for spans this repository makes itself (HTTP and
// Cassandra spans come from their instrumentation).
func Tracer() trace.Tracer { return otel.Tracer(Name) }

// Exporters this build supports for OTEL_TRACES_EXPORTER.
var Exporters = []string{"none", "zipkin"}

// Setup installs the propagators and, unless tracing is off, a tracer
// provider that batches spans to the configured exporter. The returned
// function flushes and stops it (call it before exiting); it is a no-op when
// tracing is off. lookup reads the variables that choose the exporter; the
// SDK reads the others (endpoint, sampler, service name) from the process
// environment, as every OpenTelemetry SDK does.
func Setup(service string, lookup func(string) (string, bool)) (func(context.Context) error, error) {
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	off := func(context.Context) error { return nil }
	if v, _ := lookup("OTEL_SDK_DISABLED"); strings.EqualFold(v, "true") {
		return off, nil
	}
	name, _ := lookup("OTEL_TRACES_EXPORTER")
	switch name = strings.TrimSpace(name); name {
	case "", "none":
		return off, nil
	case "zipkin":
	default:
		return nil, fmt.Errorf("OTEL_TRACES_EXPORTER=%q: this build supports %s", name, strings.Join(Exporters, ", "))
	}
	exp, err := zipkin.New("") // "": OTEL_EXPORTER_ZIPKIN_ENDPOINT or its default
	if err != nil {
		return nil, fmt.Errorf("zipkin exporter: %w", err)
	}
	res, err := resource.Merge(
		resource.NewSchemaless(semconv.ServiceName(service)),
		resource.Environment(), // OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES win
	)
	if err != nil {
		return nil, fmt.Errorf("trace resource: %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	otel.SetTracerProvider(tp)
	return tp.Shutdown, nil
}
