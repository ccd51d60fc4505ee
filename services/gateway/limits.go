package main

import (
	"fmt"
	"net/http"

	"github.com/find-peers/find-peers/libs/httpx"
)

// limitBody rejects requests whose declared body exceeds n with a 413 JSON
// error before any upstream sees them, and caps undeclared (chunked) bodies
// at n: the proxy then fails the read and answers 413 (classifyProxyError).
func limitBody(n int64) func(http.Handler) http.Handler {
	if n <= 0 {
		n = httpx.DefaultMaxBody
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ContentLength > n {
				httpx.WriteError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", n))
				return
			}
			if r.Body != nil && r.Body != http.NoBody {
				r.Body = http.MaxBytesReader(w, r.Body, n)
			}
			next.ServeHTTP(w, r)
		})
	}
}
