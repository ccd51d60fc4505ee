package httpx

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"time"

	"go.opentelemetry.io/otel/trace"
)

type loggerKey struct{}

// WithLogger returns ctx carrying logger (see LoggerFrom).
func WithLogger(ctx context.Context, logger *slog.Logger) context.Context {
	return context.WithValue(ctx, loggerKey{}, logger)
}

// LoggerFrom returns the request-scoped logger that AccessLog stored in ctx
// (it carries request_id), or slog.Default().
func LoggerFrom(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(loggerKey{}).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}

// NewJSONLogger returns the services' standard logger: JSON lines on w (stderr
// in practice, where container runtimes collect them) at the given level.
func NewJSONLogger(w io.Writer, level slog.Leveler) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}

// quietPaths are polled by orchestrators and scrapers every few seconds;
// their successful answers are logged at debug level to keep logs readable.
var quietPaths = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true}

// AccessLog is middleware that logs one JSON line per request (method, path,
// route, status, bytes, duration_ms, request_id, and trace_id and span_id
// when the request is part of a trace) and stores a logger carrying those ids
// in the context for handlers (LoggerFrom). Put it inside RequestID and Trace
// so the ids are known; it names Trace's span after the matched route.
func AccessLog(logger *slog.Logger) func(http.Handler) http.Handler {
	if logger == nil {
		logger = slog.Default()
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			reqLogger := logger
			if id := RequestIDFrom(r.Context()); id != "" {
				reqLogger = logger.With(slog.String("request_id", id))
			}
			if sc := trace.SpanContextFromContext(r.Context()); sc.IsValid() {
				reqLogger = reqLogger.With(slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String()))
			}
			r, route := withRoute(r.WithContext(WithLogger(r.Context(), reqLogger)))
			rec := newRecorder(w)
			// Deferred so a request that ends in a panic (re-raised as
			// http.ErrAbortHandler by Recover) is still logged.
			defer func() {
				status := rec.statusOr()
				nameSpan(r, route.label())
				level := slog.LevelInfo
				switch {
				case status >= 500:
					level = slog.LevelWarn
				case status < 400 && quietPaths[r.URL.Path]:
					level = slog.LevelDebug
				}
				reqLogger.LogAttrs(r.Context(), level, "http request",
					slog.String("method", r.Method),
					slog.String("path", r.URL.Path),
					slog.String("route", route.label()),
					slog.Int("status", status),
					slog.Int64("bytes", rec.bytes),
					slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
				)
			}()
			next.ServeHTTP(rec, r)
		})
	}
}
