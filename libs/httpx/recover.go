package httpx

import (
	"log/slog"
	"net/http"
	"runtime/debug"
)

// Recover is middleware that turns a panic in a handler into a logged 500
// JSON error instead of a dropped connection. If the handler had already
// started its answer, the status cannot change any more; the connection is
// then aborted so the client sees a broken response, not a short "success".
// Put it innermost, so logs and metrics record the 500.
func Recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := newRecorder(w)
		defer func() {
			p := recover()
			if p == nil {
				return
			}
			if p == http.ErrAbortHandler { //nolint:errorlint // sentinel compared as net/http does
				panic(p)
			}
			LoggerFrom(r.Context()).LogAttrs(r.Context(), slog.LevelError, "panic serving request",
				slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.Any("panic", p), slog.String("stack", string(debug.Stack())))
			if rec.wroteHeader {
				panic(http.ErrAbortHandler)
			}
			// Drop whatever the handler had set up for its own answer
			// (Location, a streaming Content-Type, ...) except the id.
			h := rec.Header()
			id := h.Get(RequestIDHeader)
			clear(h)
			if id != "" {
				h.Set(RequestIDHeader, id)
			}
			WriteError(rec, http.StatusInternalServerError, "internal error")
		}()
		next.ServeHTTP(rec, r)
	})
}
