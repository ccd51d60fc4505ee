package cassandra

import (
	"context"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/gocql/gocql"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/find-peers/find-peers/libs/tracing"
)

// Observer receives gocql's report of every statement attempt (each page of
// a query, each try of a retry) and every connection it opens. It makes a
// client span per attempt under the span of the context the statement
// carries (Read and Write set it), and records the client metrics below.
// The zero value makes spans only; both cost nothing when no span is
// recording and no registry was given.
type Observer struct {
	duration *prometheus.HistogramVec
	errors   *prometheus.CounterVec
	retries  *prometheus.CounterVec
	connects *prometheus.CounterVec
}

var (
	_ gocql.QueryObserver   = (*Observer)(nil)
	_ gocql.BatchObserver   = (*Observer)(nil)
	_ gocql.ConnectObserver = (*Observer)(nil)
)

// NewObserver registers the Cassandra client metrics with reg:
//
//	cassandra_client_request_duration_seconds{keyspace,operation} histogram per attempt
//	cassandra_client_request_errors_total{keyspace,operation}      failed attempts
//	cassandra_client_request_retries_total{keyspace,operation}     attempts after the first
//	cassandra_client_connections_total{host,result}                connections opened (ok|error)
//
// operation is the statement's first keyword in lower case (select, insert,
// update, delete, batch, create, ...), so the label has few values.
func NewObserver(reg prometheus.Registerer) *Observer {
	labels := []string{"keyspace", "operation"}
	o := &Observer{
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "cassandra_client_request_duration_seconds",
			Help:    "Time of one Cassandra statement attempt (one page of a query, one try of a retry), as the client saw it.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, labels),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cassandra_client_request_errors_total",
			Help: "Cassandra statement attempts that failed.",
		}, labels),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cassandra_client_request_retries_total",
			Help: "Cassandra statement attempts after the first (retries of idempotent statements).",
		}, labels),
		connects: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cassandra_client_connections_total",
			Help: "Connections the Cassandra client opened, by node and result (ok or error).",
		}, []string{"host", "result"}),
	}
	reg.MustRegister(o.duration, o.errors, o.retries, o.connects)
	return o
}

// attempt is what gocql reports of one statement attempt, query or batch.
type attempt struct {
	keyspace, op string
	start, end   time.Time
	n            int // 0 for the first try
	err          error
	host         *gocql.HostInfo
}

// ObserveQuery implements gocql.QueryObserver.
func (o *Observer) ObserveQuery(ctx context.Context, q gocql.ObservedQuery) {
	a := attempt{q.Keyspace, operation(q.Statement), q.Start, q.End, q.Attempt, q.Err, q.Host}
	o.count(a)
	// The span's attributes are built only for a recording span: this runs
	// for every statement, traced or not.
	if trace.SpanFromContext(ctx).IsRecording() {
		attemptSpan(ctx, a, semconv.DBQueryText(q.Statement), attribute.Int("db.response.returned_rows", q.Rows))
	}
}

// ObserveBatch implements gocql.BatchObserver.
func (o *Observer) ObserveBatch(ctx context.Context, b gocql.ObservedBatch) {
	a := attempt{b.Keyspace, "batch", b.Start, b.End, b.Attempt, b.Err, b.Host}
	o.count(a)
	if trace.SpanFromContext(ctx).IsRecording() {
		attemptSpan(ctx, a, semconv.DBOperationBatchSize(len(b.Statements)), semconv.DBQueryText(firstStatement(b.Statements)))
	}
}

// ObserveConnect implements gocql.ConnectObserver.
func (o *Observer) ObserveConnect(c gocql.ObservedConnect) {
	if o.connects == nil {
		return
	}
	result := "ok"
	if c.Err != nil {
		result = "error"
	}
	o.connects.WithLabelValues(hostPort(c.Host), result).Inc()
}

// count records a in the client metrics, if the observer has them.
func (o *Observer) count(a attempt) {
	if o.duration == nil {
		return
	}
	o.duration.WithLabelValues(a.keyspace, a.op).Observe(a.end.Sub(a.start).Seconds())
	if a.err != nil {
		o.errors.WithLabelValues(a.keyspace, a.op).Inc()
	}
	if a.n > 0 {
		o.retries.WithLabelValues(a.keyspace, a.op).Inc()
	}
}

// attemptSpan makes a's client span under ctx's, timed by gocql's own clock.
func attemptSpan(ctx context.Context, a attempt, attrs ...attribute.KeyValue) {
	_, span := tracing.Tracer().Start(ctx, strings.ToUpper(a.op)+" "+a.keyspace,
		trace.WithSpanKind(trace.SpanKindClient), trace.WithTimestamp(a.start),
		trace.WithAttributes(append(attrs,
			semconv.DBSystemNameKey.String("cassandra"),
			semconv.DBNamespace(a.keyspace),
			semconv.DBOperationName(a.op),
			attribute.Int("cassandra.attempt", a.n),
			attribute.String("server.address", hostPort(a.host)),
		)...))
	if a.err != nil {
		span.RecordError(a.err)
		span.SetStatus(codes.Error, a.err.Error())
	}
	span.End(trace.WithTimestamp(a.end))
}

// operation is a statement's first keyword in lower case.
func operation(stmt string) string {
	word, _, _ := strings.Cut(strings.TrimSpace(stmt), " ")
	switch w := strings.ToLower(word); w {
	case "select", "insert", "update", "delete", "batch", "create", "alter", "drop", "truncate", "grant", "revoke", "use":
		return w
	}
	return "other"
}

func firstStatement(stmts []string) string {
	if len(stmts) == 0 {
		return ""
	}
	return stmts[0]
}

func hostPort(h *gocql.HostInfo) string {
	if h == nil {
		return ""
	}
	return net.JoinHostPort(h.ConnectAddress().String(), strconv.Itoa(h.Port()))
}
