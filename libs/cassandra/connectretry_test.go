package cassandra

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/gocql/gocql"
)

func TestConnectWithRetryStopsOnChecksumError(t *testing.T) {
	calls := 0
	_, err := ConnectWithRetry(context.Background(), slog.New(slog.DiscardHandler), func(context.Context) (*gocql.Session, error) {
		calls++
		return nil, fmt.Errorf("migration 0001: %w", ErrChecksum)
	})
	if !errors.Is(err, ErrChecksum) || calls != 1 {
		t.Fatalf("err %v after %d calls, want ErrChecksum after 1", err, calls)
	}
}

func TestConnectWithRetryGivesUpWhenContextEnds(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 1200*time.Millisecond)
	defer cancel()
	calls := 0
	refused := errors.New("connection refused")
	_, err := ConnectWithRetry(ctx, slog.New(slog.DiscardHandler), func(context.Context) (*gocql.Session, error) {
		calls++
		return nil, refused
	})
	// Tries at 0, 0.5s and 1.5s: the third is past the deadline.
	if !errors.Is(err, refused) || calls != 2 {
		t.Fatalf("err %v after %d calls, want the last refusal after 2", err, calls)
	}
}
