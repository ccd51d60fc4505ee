package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/find-peers/find-peers/libs/sse"
)

// sseWriter writes one server-sent event stream (framing from libs/sse) and
// flushes after every event, so nothing waits in a buffer.
type sseWriter struct {
	w            http.ResponseWriter
	rc           *http.ResponseController
	writeTimeout time.Duration
}

// startSSE sends the stream's headers and a first comment, which commits
// them so the client knows at once that it is subscribed.
func startSSE(w http.ResponseWriter, writeTimeout time.Duration, hello string) (*sseWriter, error) {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // tell buffering proxies (nginx) to pass events through
	w.WriteHeader(http.StatusOK)
	sw := &sseWriter{w: w, rc: http.NewResponseController(w), writeTimeout: writeTimeout}
	return sw, sw.write(sse.Comment(hello))
}

// data sends v as the JSON data of a default ("message") event.
func (sw *sseWriter) data(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encoding event: %w", err)
	}
	frame, err := sse.Event{Data: string(b)}.Encode()
	if err != nil {
		return fmt.Errorf("framing event: %w", err)
	}
	return sw.write(frame)
}

// comment sends a comment line, which clients ignore: used for heartbeats.
func (sw *sseWriter) comment(text string) error { return sw.write(sse.Comment(text)) }

// write sends and flushes one frame. The server-wide write timeout would end
// every stream after a fixed time, so each write instead moves the
// connection's write deadline forward: a stream lives as long as its client
// reads, and a client that stops reading is cut off after writeTimeout.
func (sw *sseWriter) write(frame []byte) error {
	if err := sw.rc.SetWriteDeadline(time.Now().Add(sw.writeTimeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return fmt.Errorf("setting write deadline: %w", err)
	}
	if _, err := sw.w.Write(frame); err != nil {
		return fmt.Errorf("writing event stream: %w", err)
	}
	if err := sw.rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return fmt.Errorf("flushing event stream: %w", err)
	}
	return nil
}
