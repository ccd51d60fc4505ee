package cassandra

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gocql/gocql"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

func TestObserverSpansUnderTheRequest(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := otel.GetTracerProvider()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
	t.Cleanup(func() { otel.SetTracerProvider(tp) })

	reg := prometheus.NewRegistry()
	o := NewObserver(reg)
	ctx, parent := otel.Tracer("test").Start(context.Background(), "GET /tracking/beacons/{id}/{seconds}")
	start := time.Date(2026, 12, 2, 1, 0, 0, 0, time.UTC)
	o.ObserveQuery(ctx, gocql.ObservedQuery{Keyspace: "tracking_service", Statement: " select * from sightings where beacon_id = ?",
		Start: start, End: start.Add(3 * time.Millisecond), Rows: 5})
	o.ObserveQuery(ctx, gocql.ObservedQuery{Keyspace: "tracking_service", Statement: "SELECT 1",
		Start: start, End: start.Add(time.Millisecond), Attempt: 1, Err: errors.New("timeout")})
	o.ObserveBatch(ctx, gocql.ObservedBatch{Keyspace: "tracking_service", Statements: []string{"INSERT INTO a", "INSERT INTO a"},
		Start: start, End: start.Add(2 * time.Millisecond)})
	parent.End()

	spans := rec.Ended()
	if len(spans) != 4 {
		t.Fatalf("got %d spans, want 3 statement spans and the parent", len(spans))
	}
	for _, s := range spans[:3] {
		if s.Parent().SpanID() != parent.SpanContext().SpanID() || s.SpanKind() != trace.SpanKindClient {
			t.Errorf("%s: not a client span under the request's span", s.Name())
		}
	}
	if s := spans[0]; s.Name() != "SELECT tracking_service" || !s.StartTime().Equal(start) || s.EndTime().Sub(s.StartTime()) != 3*time.Millisecond {
		t.Errorf("query span %q %v..%v, want SELECT tracking_service over the observed 3 ms", s.Name(), s.StartTime(), s.EndTime())
	}
	if s := spans[1]; s.Status().Description != "timeout" || len(s.Events()) != 1 {
		t.Errorf("failed attempt span: status %+v, %d events", s.Status(), len(s.Events()))
	}
	if s := spans[2]; s.Name() != "BATCH tracking_service" {
		t.Errorf("batch span %q", s.Name())
	}

	if n := testutil.CollectAndCount(reg, "cassandra_client_request_duration_seconds"); n != 2 {
		t.Errorf("duration series = %d, want select and batch", n)
	}
	if got := testutil.ToFloat64(o.errors.WithLabelValues("tracking_service", "select")); got != 1 {
		t.Errorf("errors = %v, want 1", got)
	}
	if got := testutil.ToFloat64(o.retries.WithLabelValues("tracking_service", "select")); got != 1 {
		t.Errorf("retries = %v, want 1", got)
	}
}

func TestObserverNoSpansWithoutARecordingParent(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := otel.GetTracerProvider()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
	t.Cleanup(func() { otel.SetTracerProvider(tp) })
	(&Observer{}).ObserveQuery(context.Background(), gocql.ObservedQuery{Statement: "SELECT 1"})
	(&Observer{}).ObserveConnect(gocql.ObservedConnect{})
	if n := len(rec.Ended()); n != 0 {
		t.Errorf("%d spans without a request span, want 0 (background work is not traced)", n)
	}
}

func TestOperation(t *testing.T) {
	for stmt, want := range map[string]string{
		"SELECT x FROM y": "select", "\n insert into t": "insert", "Begin batch": "other", "": "other", "DROP KEYSPACE k": "drop",
	} {
		if got := operation(stmt); got != want {
			t.Errorf("operation(%q) = %q, want %q", stmt, got, want)
		}
	}
	if got := hostPort(nil); got != "" {
		t.Errorf("hostPort(nil) = %q", got)
	}
}
