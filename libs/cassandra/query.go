package cassandra

import (
	"context"
	"fmt"

	"github.com/gocql/gocql"
)

// Read builds a query that carries ctx (its deadline and cancellation) and is
// marked idempotent, so the retry policy may retry it on a timeout. gocql
// prepares every statement with bound values, so values never become CQL.
func Read(ctx context.Context, s *gocql.Session, stmt string, values ...any) *gocql.Query {
	return s.Query(stmt, values...).WithContext(ctx).Idempotent(true)
}

// Write builds a write that carries ctx. Pass idempotent=true only when
// applying it twice has the same effect as once (plain INSERT/UPDATE of
// fixed values, DELETE); that allows retries.
func Write(ctx context.Context, s *gocql.Session, idempotent bool, stmt string, values ...any) *gocql.Query {
	return s.Query(stmt, values...).WithContext(ctx).Idempotent(idempotent)
}

// All reads every row, fetching pageSize rows per round trip, and fails
// rather than use unbounded memory once more than limit rows arrive.
func All[T any](q *gocql.Query, pageSize, limit int, scan func(gocql.Scanner) (T, error)) ([]T, error) {
	iter := q.PageSize(pageSize).Iter()
	sc := iter.Scanner()
	var rows []T
	for sc.Next() {
		if len(rows) == limit {
			iter.Close()
			return nil, fmt.Errorf("more than %d rows", limit)
		}
		row, err := scan(sc)
		if err != nil {
			iter.Close()
			return nil, fmt.Errorf("scan row: %w", err)
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return rows, nil
}
