// Package sse implements server-sent events (the WHATWG HTML "server-sent
// events" wire format): a Broker that fans events out to HTTP subscribers
// without ever letting a slow one hold the publisher back, and a Reader that
// parses a stream on the client side.
package sse

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Event is one server-sent event.
type Event struct {
	ID    string        // "id:" field; on the client, the last id seen in the stream
	Event string        // "event:" field; "" on the wire means "message"
	Data  string        // "data:" field; may span lines
	Retry time.Duration // "retry:" field (ms on the wire); 0 = not sent
}

// ErrInvalidEvent is returned when an event cannot be framed: an id or event
// name containing a line break (or an id containing NUL) would otherwise let
// one field inject others into the stream.
var ErrInvalidEvent = errors.New("sse: invalid event")

// Encode returns the wire form of e, ending with the blank line that
// dispatches it. Multi-line data becomes several "data:" lines; CR, LF and
// CRLF all count as line breaks, as they do for the parser.
func (e Event) Encode() ([]byte, error) {
	if strings.ContainsAny(e.ID, "\r\n\x00") {
		return nil, fmt.Errorf("%w: id %q contains a line break or NUL", ErrInvalidEvent, e.ID)
	}
	if strings.ContainsAny(e.Event, "\r\n") {
		return nil, fmt.Errorf("%w: event name %q contains a line break", ErrInvalidEvent, e.Event)
	}
	var b bytes.Buffer
	b.Grow(len(e.Data) + len(e.ID) + len(e.Event) + 32)
	if e.ID != "" {
		b.WriteString("id: ")
		b.WriteString(e.ID)
		b.WriteByte('\n')
	}
	if e.Event != "" {
		b.WriteString("event: ")
		b.WriteString(e.Event)
		b.WriteByte('\n')
	}
	if e.Retry > 0 {
		b.WriteString("retry: ")
		b.WriteString(strconv.FormatInt(e.Retry.Milliseconds(), 10))
		b.WriteByte('\n')
	}
	data := e.Data
	for {
		i := strings.IndexAny(data, "\r\n")
		if i < 0 {
			break
		}
		writeField(&b, "data", data[:i])
		if data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n' {
			i++
		}
		data = data[i+1:]
	}
	writeField(&b, "data", data)
	b.WriteByte('\n')
	return b.Bytes(), nil
}

func writeField(b *bytes.Buffer, name, value string) {
	b.WriteString(name)
	// The parser strips exactly one space after the colon, so a value that
	// itself starts with a space survives the round trip.
	b.WriteString(": ")
	b.WriteString(value)
	b.WriteByte('\n')
}

// Comment returns a comment line (ignored by clients). Heartbeats are
// comments: they keep proxies and clients from timing out an idle stream.
func Comment(text string) []byte {
	text = strings.NewReplacer("\r", " ", "\n", " ").Replace(text)
	return []byte(": " + text + "\n\n")
}
