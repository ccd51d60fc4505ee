package httpx

import (
	"fmt"
	"net/http"
)

// LimitBody is middleware that rejects a request whose declared body is
// larger than n bytes with a 413 JSON error before any handler (or
// upstream) sees it, and caps an undeclared (chunked) body at n, so nobody
// can make the server read an endless body: reading past n then fails with
// *http.MaxBytesError. n <= 0 means DefaultMaxBody. message is the error
// text; "" means "request body larger than n bytes", DecodeJSON's wording.
func LimitBody(n int64, message string) func(http.Handler) http.Handler {
	if n <= 0 {
		n = DefaultMaxBody
	}
	if message == "" {
		message = fmt.Sprintf("request body larger than %d bytes", n)
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ContentLength > n {
				WriteError(w, http.StatusRequestEntityTooLarge, message)
				return
			}
			if r.Body != nil && r.Body != http.NoBody {
				r.Body = http.MaxBytesReader(w, r.Body, n)
			}
			next.ServeHTTP(w, r)
		})
	}
}
