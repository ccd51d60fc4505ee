package main

import (
	"net/http"

	"github.com/find-peers/find-peers/libs/httpx"
)

// maxRequestBody is the request body limit: the aggregator only serves GETs,
// so any sizeable body is a mistake or an attack.
const maxRequestBody = 4 << 10

// limitBody rejects requests whose declared body exceeds n with a 413 JSON
// error and caps undeclared (chunked) bodies at n, so nobody can make the
// server read an endless body.
func limitBody(n int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ContentLength > n {
				httpx.WriteError(w, http.StatusRequestEntityTooLarge, "request body too large")
				return
			}
			if r.Body != nil && r.Body != http.NoBody {
				r.Body = http.MaxBytesReader(w, r.Body, n)
			}
			next.ServeHTTP(w, r)
		})
	}
}
