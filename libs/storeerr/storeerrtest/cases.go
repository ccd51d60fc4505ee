// Package storeerrtest holds the store failures that the handler tests of
// every Cassandra-backed service feed through their fake stores, each with
// the status the API contract gives it (see storeerr.HTTP). Every error
// carries an internal address and the word "secret", so a test can check
// with Leaks that no such detail reaches a client.
package storeerrtest

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gocql/gocql"
)

// Case is one store failure and the HTTP status it must give.
type Case struct {
	Name   string
	Err    error
	Status int
}

// timeoutError stands in for a driver error wrapping a net.Error timeout.
type timeoutError struct{}

func (timeoutError) Error() string   { return "read tcp 10.0.0.5:9042: i/o timeout (secret)" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

// Cases returns the failures: no hosts and too few replicas are 503, every
// kind of timeout 504, anything else 500.
func Cases() []Case {
	return []Case{
		{"no hosts", fmt.Errorf("select at 10.0.0.5 (secret): %w", gocql.ErrNoConnections), 503},
		{"unavailable replicas", fmt.Errorf("secret 10.0.0.5: %w", &gocql.RequestErrUnavailable{}), 503},
		{"driver timeout", fmt.Errorf("secret 10.0.0.5: %w", gocql.ErrTimeoutNoResponse), 504},
		{"write timeout", fmt.Errorf("secret 10.0.0.5: %w", &gocql.RequestErrWriteTimeout{}), 504},
		{"network timeout", fmt.Errorf("select: %w", timeoutError{}), 504},
		{"request deadline", fmt.Errorf("secret 10.0.0.5: %w", context.DeadlineExceeded), 504},
		{"other", errors.New("unmarshal column name: secret detail 10.0.0.5"), 500},
	}
}

// Leaks reports whether an answer's error message shows a detail of the
// Cases' errors.
func Leaks(msg string) bool {
	return strings.Contains(msg, "10.0.0.5") || strings.Contains(msg, "secret")
}
