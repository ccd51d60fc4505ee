// Package storeerr turns errors from a Cassandra-backed store into the HTTP
// answers of the API contract: the database being unreachable or short of
// replicas is 503, a timeout is 504, anything else 500 — each with a short
// message, the driver's details kept for the log only.
package storeerr

import (
	"context"
	"errors"
	"net"
	"net/http"

	"github.com/gocql/gocql"

	"github.com/find-peers/find-peers/libs/httpx"
)

// Classification of a store error.
type Kind int

const (
	Other       Kind = iota // a bug or an unexpected failure: 500
	Unavailable             // not enough live nodes or no connection: 503
	Timeout                 // the database did not answer in time: 504
	Canceled                // the caller gave up: nobody is listening
)

// Classify says what kind of failure err is. It looks through wrapping, so
// stores may (and should) wrap driver errors with what they were doing.
func Classify(err error) Kind {
	var (
		reqErr       gocql.RequestError
		netErr       net.Error
		readTimeout  *gocql.RequestErrReadTimeout
		writeTimeout *gocql.RequestErrWriteTimeout
		unavailable  *gocql.RequestErrUnavailable
	)
	switch {
	case errors.Is(err, context.Canceled):
		return Canceled
	case errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, gocql.ErrTimeoutNoResponse),
		errors.As(err, &readTimeout), errors.As(err, &writeTimeout):
		return Timeout
	case errors.As(err, &unavailable):
		return Unavailable
	case errors.As(err, &reqErr):
		switch reqErr.Code() {
		case gocql.ErrCodeReadTimeout, gocql.ErrCodeWriteTimeout:
			return Timeout
		case gocql.ErrCodeUnavailable, gocql.ErrCodeOverloaded, gocql.ErrCodeBootstrapping:
			return Unavailable
		}
		return Other
	case errors.Is(err, gocql.ErrNoConnections),
		errors.Is(err, gocql.ErrUnavailable),
		errors.Is(err, gocql.ErrSessionClosed),
		errors.Is(err, gocql.ErrConnectionClosed),
		errors.Is(err, gocql.ErrTooManyTimeouts),
		errors.Is(err, gocql.ErrNoStreams),
		errors.Is(err, gocql.ErrNoConnectionsStarted):
		return Unavailable
	case errors.As(err, &netErr):
		if netErr.Timeout() {
			return Timeout
		}
		return Unavailable
	}
	return Other
}

// HTTP wraps a store error as an *httpx.Error with the contract's status and
// a short message; err stays the internal cause (logged, never sent).
func HTTP(err error) error {
	if err == nil {
		return nil
	}
	switch Classify(err) {
	case Unavailable:
		return httpx.Wrap(http.StatusServiceUnavailable, "database unavailable", err)
	case Timeout:
		return httpx.Wrap(http.StatusGatewayTimeout, "database timed out", err)
	case Canceled:
		return httpx.Wrap(httpx.StatusClientClosedRequest, "request canceled", err)
	}
	return httpx.Wrap(http.StatusInternalServerError, "internal error", err)
}
