package httpx

import (
	"context"
	"crypto/rand"
	"net/http"
)

// RequestIDHeader carries the request id between clients, the gateway and
// services.
const RequestIDHeader = "X-Request-Id"

// maxRequestIDLen bounds an incoming id: it is echoed in headers and logs, so
// an attacker-sized value must not be.
const maxRequestIDLen = 128

// RequestIDPattern is ValidRequestID as a regular expression (1..128
// characters from '!' to '~'), the pattern the OpenAPI documents give for the
// X-Request-Id response header.
const RequestIDPattern = `^[!-~]{1,128}$`

type requestIDKey struct{}

// RequestID is middleware that gives every request an id: the incoming
// X-Request-Id when it is sane (1..128 printable ASCII characters, no
// spaces), otherwise a fresh random one. The id is set on the response and
// stored in the request context (see RequestIDFrom).
//
// An unusable incoming id is replaced, never rejected: the header is an
// optional tracing aid, not part of what the client asks for, and a caller
// (or a proxy on its way, some of which append to the id) that sends one we
// cannot use still expects its request served; the response's X-Request-Id
// tells it which id the logs use. This is what HTTP routers that assign
// request ids commonly do. The OpenAPI documents therefore declare the
// request header as any string (a maxLength there would promise a 400) and
// give RequestIDPattern on the response header, which always carries a
// valid id.
func RequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(RequestIDHeader)
		if !ValidRequestID(id) {
			id = NewRequestID()
			// Keep the header consistent with the context for handlers
			// that proxy the request as is (the gateway).
			r.Header.Set(RequestIDHeader, id)
		}
		w.Header().Set(RequestIDHeader, id)
		next.ServeHTTP(w, r.WithContext(WithRequestID(r.Context(), id)))
	})
}

// ValidRequestID reports whether id is acceptable as a request id.
func ValidRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c < 0x21 || c > 0x7e {
			return false
		}
	}
	return true
}

// NewRequestID returns a fresh random request id (26 base32 characters, 130
// bits of randomness).
func NewRequestID() string { return rand.Text() }

// WithRequestID returns ctx carrying the request id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestIDFrom returns the request id stored in ctx, or "".
func RequestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
