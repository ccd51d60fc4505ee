package cassandra

import (
	"context"
	"fmt"
	"time"

	"github.com/gocql/gocql"
)

// Read builds a query that carries ctx (its deadline and cancellation) and is
// marked idempotent, so the retry policy may retry it on a timeout and a slow
// one is speculated (readSpeculation). gocql prepares every statement with
// bound values, so values never become CQL.
func Read(ctx context.Context, s *gocql.Session, stmt string, values ...any) *gocql.Query {
	return s.Query(stmt, values...).WithContext(ctx).Idempotent(true).
		SetSpeculativeExecutionPolicy(readSpeculation)
}

// readSpeculation sends a read (each page of it) that has no answer after
// 250 ms to the next coordinator as well, and after 500 ms to a third; the
// first answer wins and the others are dropped. It is for the second or so
// after a node dies: a coordinator that has not convicted it yet may wait
// for it as one of a LOCAL_QUORUM read's two replicas, and until Cassandra
// has sampled a table's read latency (every read_request_timeout, so always
// on a new table or a restarted node) the table's own speculative retry
// (schema 0002 of the services) waits half the read timeout: seconds. A
// second coordinator a quarter of a second later picks live replicas
// (docs/RELIABILITY.md, "Node loss without slow reads"). A healthy read
// answers in milliseconds, so this costs a duplicate only for reads that
// were going to be slow anyway.
var readSpeculation = &gocql.SimpleSpeculativeExecution{NumAttempts: 2, TimeoutDelay: 250 * time.Millisecond}

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
