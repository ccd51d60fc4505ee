package sse

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/find-peers/find-peers/libs/httpx"
)

// This file is the one place that writes event streams to clients: the
// broker's streams (Broker.Serve), the aggregator's live stream and the
// gateway's proxied streams all go through it.

// deadline moves a connection's write deadline ahead before each write. The
// server-wide write timeout would end every stream after a fixed time, so a
// stream instead lives as long as its client reads, and a client that stops
// reading is cut off after timeout.
type deadline struct {
	rc      *http.ResponseController
	timeout time.Duration
}

func (d deadline) extend() error {
	// ErrNotSupported (e.g. a recorder in tests) just means no deadline.
	if err := d.rc.SetWriteDeadline(time.Now().Add(d.timeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return fmt.Errorf("setting write deadline: %w", err)
	}
	return nil
}

// Writer writes one event stream to a client, flushing every frame so
// nothing waits in a buffer.
type Writer struct {
	w http.ResponseWriter
	d deadline
}

// Start sends the event-stream headers and first, a frame that commits them
// so the client knows at once that it is subscribed. Each write, this one
// included, may take writeTimeout (default 10s).
func Start(w http.ResponseWriter, writeTimeout time.Duration, first []byte) (*Writer, error) {
	if writeTimeout <= 0 {
		writeTimeout = 10 * time.Second
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // nginx and friends: do not buffer the stream
	w.WriteHeader(http.StatusOK)
	sw := &Writer{w: w, d: deadline{rc: http.NewResponseController(w), timeout: writeTimeout}}
	return sw, sw.Write(first)
}

// Write sends and flushes one frame (an encoded event or a comment).
func (sw *Writer) Write(frame []byte) error {
	if err := sw.d.extend(); err != nil {
		return err
	}
	if _, err := sw.w.Write(frame); err != nil {
		return fmt.Errorf("writing event stream: %w", err)
	}
	if err := sw.d.rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return fmt.Errorf("flushing event stream: %w", err)
	}
	return nil
}

// JSON frames v, encoded as JSON, as the data of a default ("message")
// event.
func JSON(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encoding event: %w", err)
	}
	frame, err := Event{Data: string(b)}.Encode()
	if err != nil {
		return nil, fmt.Errorf("framing event: %w", err)
	}
	return frame, nil
}

// Pump writes each value from in, framed by frame, to sw, and a heartbeat
// comment whenever nothing was written for heartbeat (default 15s): proxies
// and clients drop connections that look idle. It returns nil when in is
// closed, when ctx ends (the client went away) or when the server shuts down
// (httpx.ShuttingDown), which a graceful shutdown waits for; and the error
// of a failed frame or write.
func Pump[T any](ctx context.Context, sw *Writer, in <-chan T, frame func(T) ([]byte, error), heartbeat time.Duration) error {
	if heartbeat <= 0 {
		heartbeat = 15 * time.Second
	}
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		select {
		case v, ok := <-in:
			if !ok {
				return nil
			}
			f, err := frame(v)
			if err != nil {
				return err
			}
			if err := sw.Write(f); err != nil {
				return err
			}
			tick.Reset(heartbeat)
		case <-tick.C:
			if err := sw.Write(Comment("heartbeat")); err != nil {
				return err
			}
		case <-ctx.Done():
			return nil
		case <-httpx.ShuttingDown(ctx):
			return nil
		}
	}
}

// ProxyWriter wraps a reverse proxy's ResponseWriter so that a proxied event
// stream outlives the server's write timeout, which is right for ordinary
// answers but would cut every stream after a fixed time. Once the answer
// turns out to be text/event-stream, each write moves the connection's write
// deadline timeout ahead instead, as Writer does. The proxy flushes itself.
func ProxyWriter(w http.ResponseWriter, timeout time.Duration) http.ResponseWriter {
	return &proxyWriter{ResponseWriter: w, d: deadline{rc: http.NewResponseController(w), timeout: timeout}}
}

type proxyWriter struct {
	http.ResponseWriter
	d         deadline
	streaming bool
}

func (p *proxyWriter) WriteHeader(code int) {
	if code >= 200 && IsEventStream(p.Header()) {
		p.streaming = true
		_ = p.d.extend() // a failure shows in the write that follows
	}
	p.ResponseWriter.WriteHeader(code)
}

func (p *proxyWriter) Write(b []byte) (int, error) {
	if p.streaming {
		_ = p.d.extend()
	}
	return p.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController (the proxy's flushes) reach the real writer.
func (p *proxyWriter) Unwrap() http.ResponseWriter { return p.ResponseWriter }

// IsEventStream reports whether h declares an event stream.
func IsEventStream(h http.Header) bool {
	ct := h.Get("Content-Type")
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(ct)), "text/event-stream")
}
