package httpx

import (
	"context"
	"net/http"
	"time"
)

// WithTimeout bounds the time h has to answer: the request's context gets a
// deadline d from now. Stores and upstream calls carry that context, so a
// database or upstream that stops answering (a lost node, retries that
// would add up past any client's patience) ends in a JSON 504 within d
// rather than in a hang. d <= 0 returns h unchanged.
//
// Unlike http.TimeoutHandler it does not buffer the answer, and it relies on
// h to honour its context. Never wrap an event stream: it is meant to
// outlive any deadline.
func WithTimeout(d time.Duration, h http.Handler) http.Handler {
	if d <= 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}
