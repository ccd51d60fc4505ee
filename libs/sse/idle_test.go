package sse

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// slowReader yields its parts one at a time, each after a pause, then
// blocks until ctx ends.
type slowReader struct {
	ctx   context.Context
	parts []string
	pause time.Duration
}

func (s *slowReader) Read(p []byte) (int, error) {
	if len(s.parts) > 0 {
		time.Sleep(s.pause)
		n := copy(p, s.parts[0])
		s.parts = s.parts[1:]
		return n, nil
	}
	<-s.ctx.Done()
	return 0, context.Cause(s.ctx)
}

func TestIdleReaderCancelsASilentStream(t *testing.T) {
	ctx, cancel := context.WithCancelCause(t.Context())
	defer cancel(nil)
	// Data every 20 ms keeps it alive past the 100 ms idle timeout; then
	// silence must cancel it within about that timeout.
	src := &slowReader{ctx: ctx, parts: strings.Split(strings.Repeat(": heartbeat\n\n|", 8), "|"), pause: 20 * time.Millisecond}
	r, stop := IdleReader(src, 100*time.Millisecond, cancel)
	defer stop()
	start := time.Now()
	b, err := io.ReadAll(r)
	took := time.Since(start)
	if !errors.Is(err, ErrIdle) {
		t.Fatalf("err %v, want ErrIdle", err)
	}
	if got := strings.Count(string(b), "heartbeat"); got != 8 {
		t.Errorf("read %d heartbeats before idling, want 8", got)
	}
	if took < 250*time.Millisecond || took > 2*time.Second {
		t.Errorf("cancelled after %s: want after the data (~180 ms) plus the 100 ms idle timeout", took)
	}
}

func TestIdleReaderStopped(t *testing.T) {
	called := make(chan error, 1)
	_, stop := IdleReader(strings.NewReader(""), 20*time.Millisecond, func(err error) { called <- err })
	stop()
	select {
	case err := <-called:
		t.Fatalf("cancel called after stop: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
}
