package cassandra

import (
	"time"

	"github.com/gocql/gocql"
)

// idempotentRetry retries timeouts and unavailable errors with backoff, but
// only for statements marked idempotent: retrying a non-idempotent write
// (a counter update, a list append) after a timeout could apply it twice.
type idempotentRetry struct {
	next gocql.ExponentialBackoffRetryPolicy
}

func newRetryPolicy() gocql.RetryPolicy {
	return &idempotentRetry{next: gocql.ExponentialBackoffRetryPolicy{
		NumRetries: 3, Min: 50 * time.Millisecond, Max: time.Second,
	}}
}

func (r *idempotentRetry) Attempt(q gocql.RetryableQuery) bool {
	if iq, ok := q.(interface{ IsIdempotent() bool }); ok && !iq.IsIdempotent() {
		return false
	}
	return r.next.Attempt(q)
}

func (r *idempotentRetry) GetRetryType(err error) gocql.RetryType {
	return r.next.GetRetryType(err)
}
