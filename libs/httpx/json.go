package httpx

import (
	"log/slog"
	"net/http"
	"strconv"

	"github.com/find-peers/find-peers/libs/api"
)

// WriteJSON writes v as a JSON response with the given status. The body is
// encoded before anything is written so that an encoding failure can still
// become a clean 500 instead of a truncated 200. api.Marshal writes what
// encoding/json would, faster. The buffer is reused (buffers.go): a Writer
// must not keep what it is given (io.Writer's contract).
func WriteJSON(w http.ResponseWriter, status int, v any) error {
	buf := getBuffer()
	defer putBuffer(buf)
	if err := api.Marshal(buf, v); err != nil {
		writeBody(w, http.StatusInternalServerError, []byte(`{"error":"internal error"}`+"\n"))
		return err
	}
	return writeBody(w, status, buf.Bytes())
}

func writeBody(w http.ResponseWriter, status int, body []byte) error {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, err := w.Write(body)
	return err
}

// WriteError writes the contract's error body {"error": msg} with status.
func WriteError(w http.ResponseWriter, status int, msg string) {
	if msg == "" {
		msg = http.StatusText(status)
	}
	// api.Error always encodes; the error can only come from the connection.
	_ = WriteJSON(w, status, api.Error{Error: msg})
}

// WriteErr answers a request with err: an *Error keeps its status and
// message, anything else becomes a 504 (deadline) or a 500 whose details go
// to the log only, so internals never reach clients. 5xx answers are logged
// with the request id.
func WriteErr(w http.ResponseWriter, r *http.Request, err error) {
	e := AsError(err)
	if e.Status >= 500 {
		LoggerFrom(r.Context()).LogAttrs(r.Context(), slog.LevelError, "request failed",
			slog.Int("status", e.Status), slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.Any("error", err))
	}
	WriteError(w, e.Status, e.Msg)
}

// HandlerFunc is an http.HandlerFunc that may return an error; a returned
// error is written with WriteErr. Handlers then read as "validate, call,
// return" with no repeated error-writing boilerplate.
type HandlerFunc func(http.ResponseWriter, *http.Request) error

// ServeHTTP implements http.Handler.
func (f HandlerFunc) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := f(w, r); err != nil {
		WriteErr(w, r, err)
	}
}
