package httpx

import (
	"context"
	"math/rand/v2"
	"net"
	"net/http"
	"time"
)

// Maximum connection age (the pattern of gRPC's MaxConnectionAge and Envoy's
// max_connection_duration). Behind a Kubernetes ClusterIP, kube-proxy picks a
// backend per connection, not per request, and clients keep their keep-alive
// connections (the gateway up to 64 idle per host): without an age limit a
// replica added later gets no traffic from clients that were already
// connected. A connection older than the limit answers its next response with
// "Connection: close"; net/http closes it after that complete response, and
// the client dials again, through kube-proxy, for its next request. Nothing
// in flight is cut, so no request has to be retried. The decision is taken
// when a response starts, so a long event stream is never ended by it (at
// most its connection is not reused afterwards).

// closeAtKey holds the time after which the connection should close.
type closeAtKey struct{}

// connAgeJitter is the share of the age added at random per connection, so
// that connections opened together (a client's pool after a restart) do not
// all close, and reconnect, in the same instant.
const connAgeJitter = 10

// connCloseAt is an http.Server.ConnContext: it records, at accept time, when
// the connection will have lived maxAge plus up to 1/connAgeJitter of it.
func connCloseAt(maxAge time.Duration) func(context.Context, net.Conn) context.Context {
	return func(ctx context.Context, _ net.Conn) context.Context {
		age := maxAge + rand.N(maxAge/connAgeJitter+1)
		return context.WithValue(ctx, closeAtKey{}, time.Now().Add(age))
	}
}

// closeAgedConns marks responses on connections past their age (connCloseAt)
// with "Connection: close"; net/http then closes the connection after them.
func closeAgedConns(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if at, ok := r.Context().Value(closeAtKey{}).(time.Time); ok && time.Now().After(at) {
			w.Header().Set("Connection", "close")
		}
		next.ServeHTTP(w, r)
	})
}
