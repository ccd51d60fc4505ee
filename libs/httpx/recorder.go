package httpx

import (
	"net/http"
)

// recorder wraps a ResponseWriter to learn the status and size of the answer
// for logs and metrics. It implements Unwrap so http.ResponseController (used
// for flushing and per-stream write deadlines) reaches the real writer, and
// Flush for code that still type-asserts http.Flusher.
type recorder struct {
	http.ResponseWriter
	status      int
	bytes       int64
	wroteHeader bool
}

func newRecorder(w http.ResponseWriter) *recorder { return &recorder{ResponseWriter: w} }

func (rec *recorder) WriteHeader(code int) {
	// 1xx answers are informational and may precede the real one.
	if !rec.wroteHeader && code >= 200 {
		rec.status = code
		rec.wroteHeader = true
	}
	rec.ResponseWriter.WriteHeader(code)
}

func (rec *recorder) Write(b []byte) (int, error) {
	if !rec.wroteHeader {
		rec.status = http.StatusOK
		rec.wroteHeader = true
	}
	n, err := rec.ResponseWriter.Write(b)
	rec.bytes += int64(n)
	return n, err
}

func (rec *recorder) Flush() {
	if !rec.wroteHeader {
		rec.status = http.StatusOK
		rec.wroteHeader = true
	}
	_ = http.NewResponseController(rec.ResponseWriter).Flush()
}

func (rec *recorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }

// statusOr returns the recorded status; a handler that wrote nothing
// answered 200 as far as net/http is concerned.
func (rec *recorder) statusOr() int {
	if !rec.wroteHeader {
		return http.StatusOK
	}
	return rec.status
}
