package sse

import (
	"net/http"
	"strconv"
	"time"
)

// StreamConfig tunes one served stream.
type StreamConfig struct {
	// Heartbeat is the interval of comment lines sent while no event flows
	// (default 15s, see Pump).
	Heartbeat time.Duration
	// WriteTimeout bounds each write (default 10s, see Start); a client
	// that stops reading is cut off after this long.
	WriteTimeout time.Duration
	// Retry, when set, is sent first to tell clients how long to wait before
	// reconnecting.
	Retry time.Duration
}

// Serve streams the events accepted by filter to the client until the client
// disconnects, the server shuts down (httpx.ShuttingDown), the broker closes,
// or the subscriber is dropped for being slow. It writes the event-stream
// headers, flushes every event and sends heartbeats. The subscription starts
// before the headers are flushed, so an event published after the client has
// seen the response headers is never missed.
func (b *Broker) Serve(w http.ResponseWriter, r *http.Request, filter func(key string) bool, cfg StreamConfig) error {
	sub := b.Subscribe(filter)
	defer b.Unsubscribe(sub)

	first := Comment("stream open")
	if cfg.Retry > 0 {
		// A block with only a retry field sets the reconnection delay
		// without dispatching an event.
		first = []byte("retry: " + strconv.FormatInt(cfg.Retry.Milliseconds(), 10) + "\n\n")
	}
	sw, err := Start(w, cfg.WriteTimeout, first)
	if err != nil {
		return err
	}
	if err := Pump(r.Context(), sw, sub.C, func(frame []byte) ([]byte, error) { return frame, nil }, cfg.Heartbeat); err != nil {
		return err
	}
	if sub.Dropped() {
		// Best effort: tell the client why before hanging up.
		_ = sw.Write(Comment("dropped: client too slow"))
	}
	return nil
}
