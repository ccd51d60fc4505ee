package sse

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/find-peers/find-peers/libs/httpx"
)

// StreamConfig tunes one served stream.
type StreamConfig struct {
	// Heartbeat is the interval of comment lines sent while no event flows
	// (default 15s): proxies and clients drop connections that look idle.
	Heartbeat time.Duration
	// WriteTimeout bounds each write (default 10s). The server-wide write
	// timeout would end every stream after a fixed time, so the stream
	// instead moves the connection's write deadline forward before each
	// write; a client that stops reading is cut off after this long.
	WriteTimeout time.Duration
	// Retry, when set, is sent first to tell clients how long to wait before
	// reconnecting.
	Retry time.Duration
}

func (c StreamConfig) withDefaults() StreamConfig {
	if c.Heartbeat <= 0 {
		c.Heartbeat = 15 * time.Second
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = 10 * time.Second
	}
	return c
}

// Serve streams the events accepted by filter to the client until the client
// disconnects, the server shuts down (httpx.ShuttingDown), the broker closes,
// or the subscriber is dropped for being slow. It writes the event-stream
// headers, flushes every event and sends heartbeats. The subscription starts
// before the headers are flushed, so an event published after the client has
// seen the response headers is never missed.
func (b *Broker) Serve(w http.ResponseWriter, r *http.Request, filter func(key string) bool, cfg StreamConfig) error {
	cfg = cfg.withDefaults()
	rc := http.NewResponseController(w)
	sub := b.Subscribe(filter)
	defer b.Unsubscribe(sub)

	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // nginx and friends: do not buffer the stream
	w.WriteHeader(http.StatusOK)

	write := func(p []byte) error {
		// ErrNotSupported (e.g. a recorder in tests) just means no deadline.
		if err := rc.SetWriteDeadline(time.Now().Add(cfg.WriteTimeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
			return err
		}
		if _, err := w.Write(p); err != nil {
			return err
		}
		return rc.Flush()
	}
	// The first write commits the headers, so the client knows at once that
	// it is subscribed.
	first := Comment("stream open")
	if cfg.Retry > 0 {
		// A block with only a retry field sets the reconnection delay
		// without dispatching an event.
		first = []byte("retry: " + strconv.FormatInt(cfg.Retry.Milliseconds(), 10) + "\n\n")
	}
	if err := write(first); err != nil {
		return err
	}

	tick := time.NewTicker(cfg.Heartbeat)
	defer tick.Stop()
	for {
		select {
		case frame, ok := <-sub.C:
			if !ok {
				if sub.Dropped() {
					// Best effort: tell the client why before hanging up.
					_ = write(Comment("dropped: client too slow"))
				}
				return nil
			}
			if err := write(frame); err != nil {
				return err
			}
			tick.Reset(cfg.Heartbeat)
		case <-tick.C:
			if err := write(Comment("heartbeat")); err != nil {
				return err
			}
		case <-r.Context().Done():
			return nil
		case <-httpx.ShuttingDown(r.Context()):
			return nil
		}
	}
}
