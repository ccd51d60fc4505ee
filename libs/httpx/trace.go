package httpx

import (
	"net/http"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// Trace is the outermost middleware: one server span per request, continuing
// the caller's W3C trace context (traceparent) when there is one. The span is
// named by the route once the router has matched (see nameSpan); the probes
// and /metrics, polled every few seconds, are not traced. With tracing off
// (libs/tracing) the span records nothing but still carries the caller's
// trace id to the logs and to upstream calls.
func Trace(next http.Handler) http.Handler {
	return otelhttp.NewHandler(next, "http.server",
		otelhttp.WithFilter(func(r *http.Request) bool { return !quietPaths[r.URL.Path] }),
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return r.Method }),
	)
}

// Traced wraps rt so that every request it sends is a client span, named
// "METHOD host" after the Host the request asks for (the upstream's name,
// also when a balancer dials one of its replicas by address, which the
// span records as server.address), whose context goes along as
// traceparent. Put it under a balancer (as its Base): each attempt, to
// whichever replica, is then a span of its own.
func Traced(rt http.RoundTripper) http.RoundTripper {
	return otelhttp.NewTransport(rt,
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string {
			host := r.Host
			if host == "" {
				host = r.URL.Host
			}
			return r.Method + " " + host
		}),
	)
}

// nameSpan names r's server span after the matched route ("GET
// /beacons/{id}"): route templates, unlike paths, group alike requests.
func nameSpan(r *http.Request, route string) {
	if span := trace.SpanFromContext(r.Context()); span.IsRecording() {
		span.SetName(r.Method + " " + route)
		span.SetAttributes(semconv.HTTPRoute(route))
	}
}
