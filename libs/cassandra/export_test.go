package cassandra

import (
	"context"

	"github.com/gocql/gocql"
)

// ConnectRouting is Connect for the external tests, with whether the
// session's token-aware routing has taken over (see lazyRouting).
func ConnectRouting(ctx context.Context, cfg Config) (*gocql.Session, func() bool, error) {
	s, r, err := connect(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	return s, r.live.Load, nil
}
