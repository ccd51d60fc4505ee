package sse

import (
	"errors"
	"io"
	"sync"
	"time"
)

// ErrIdle is the cause given to IdleReader's cancel: nothing, not even a
// heartbeat comment, arrived for the idle timeout.
var ErrIdle = errors.New("event stream idle: no data or heartbeat within the idle timeout")

// IdleReader guards a stream a client reads: when no byte arrives for idle,
// it calls cancel (which should cancel the request, so that the blocked
// read returns). A server that sends heartbeats (Pump does, every 15 s by
// default) is never idle for long; one that hangs, or a connection that a
// network silently dropped, would otherwise block its reader forever, since
// a stream has no overall deadline. Stop the watchdog with the returned
// stop function once done reading.
func IdleReader(r io.Reader, idle time.Duration, cancel func(cause error)) (io.Reader, func()) {
	w := &idleReader{r: r}
	w.timer = time.AfterFunc(idle, func() { cancel(ErrIdle) })
	w.idle = idle
	return w, func() { w.timer.Stop() }
}

type idleReader struct {
	r     io.Reader
	idle  time.Duration
	mu    sync.Mutex
	timer *time.Timer
}

func (w *idleReader) Read(p []byte) (int, error) {
	n, err := w.r.Read(p)
	if n > 0 {
		w.mu.Lock()
		w.timer.Reset(w.idle)
		w.mu.Unlock()
	}
	return n, err
}
