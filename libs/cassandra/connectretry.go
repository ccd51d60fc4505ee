package cassandra

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/gocql/gocql"
)

// Backoff of ConnectWithRetry: the first retry comes soon, later ones no
// more often than every 10 seconds.
const (
	connectRetryFirst = 500 * time.Millisecond
	connectRetryMax   = 10 * time.Second
)

// ConnectWithRetry calls connect (Connect or ConnectMigrated with the
// service's arguments) until it returns a session, retrying with a doubling
// backoff and a warning per failure until ctx ends. Cassandra often starts
// after the services (compose, a fresh cluster), so a service keeps trying
// rather than failing at the first refusal. An ErrChecksum is returned at
// once: a changed migration will not fix itself.
func ConnectWithRetry(ctx context.Context, logger *slog.Logger, connect func(context.Context) (*gocql.Session, error)) (*gocql.Session, error) {
	delay := connectRetryFirst
	for {
		session, err := connect(ctx)
		if err == nil {
			return session, nil
		}
		if errors.Is(err, ErrChecksum) {
			return nil, err
		}
		logger.Warn("Cassandra not reachable yet; retrying", "error", err, "retry_in", delay.String())
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("give up reaching Cassandra: %w", err)
		case <-time.After(delay):
		}
		delay = min(delay*2, connectRetryMax)
	}
}

// Ping runs the cheapest query that needs a live coordinator: the services'
// /readyz check.
func Ping(ctx context.Context, s *gocql.Session) error {
	var v string
	if err := s.Query(`SELECT release_version FROM system.local`).WithContext(ctx).Scan(&v); err != nil {
		return fmt.Errorf("query system.local: %w", err)
	}
	return nil
}
