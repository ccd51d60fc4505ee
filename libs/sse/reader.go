package sse

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// DefaultMaxEventBytes bounds one event (all its lines) on the client side,
// so a misbehaving server cannot make a reader buffer without limit.
const DefaultMaxEventBytes = 1 << 20

// ErrEventTooLarge is returned by Reader.Next for an event over the limit.
var ErrEventTooLarge = errors.New("sse: event too large")

// Reader parses an event stream as the WHATWG HTML spec says browsers do:
// lines end in CRLF, LF or CR; a leading BOM is skipped; lines starting with
// ':' are comments; "data" lines accumulate; "id" persists across events
// (and is ignored if it contains NUL); "retry" takes only digits; unknown
// fields are ignored; a blank line dispatches the event unless it had no
// data; an event cut off by the end of the stream is discarded.
type Reader struct {
	br       *bufio.Reader
	max      int
	started  bool
	skipLF   bool   // the last line ended in CR: a following LF belongs to it
	line     []byte // reused line buffer
	lastID   string
	retry    time.Duration
	comments int
}

// NewReader returns a Reader of r with DefaultMaxEventBytes.
func NewReader(r io.Reader) *Reader {
	return &Reader{br: bufio.NewReader(r), max: DefaultMaxEventBytes}
}

// SetMaxEventBytes changes the per-event size limit.
func (r *Reader) SetMaxEventBytes(n int) { r.max = n }

// LastEventID returns the last id the stream set (send it as Last-Event-ID
// when reconnecting).
func (r *Reader) LastEventID() string { return r.lastID }

// Retry returns the reconnection delay the server asked for, or 0.
func (r *Reader) Retry() time.Duration { return r.retry }

// Comments returns how many comment lines (heartbeats) were read: a caller
// watching for a dead stream can treat them as signs of life.
func (r *Reader) Comments() int { return r.comments }

// Next returns the next event. Event.Event is "message" when the stream did
// not name it, and Event.ID is the last id seen so far. At the end of the
// stream it returns io.EOF (io.ErrUnexpectedEOF if the stream ended inside
// an event, which is discarded).
func (r *Reader) Next() (Event, error) {
	var (
		data    strings.Builder
		hasData bool
		name    string
		size    int
		inEvent bool
	)
	for {
		line, err := r.readLine()
		if err != nil {
			if errors.Is(err, io.EOF) && inEvent {
				return Event{}, io.ErrUnexpectedEOF
			}
			return Event{}, err
		}
		if len(line) == 0 {
			if !hasData {
				// Blank line after only id/event/retry/comments: reset,
				// dispatch nothing (the id still counts).
				name, size, inEvent = "", 0, false
				continue
			}
			if name == "" {
				name = "message"
			}
			d := data.String()
			return Event{ID: r.lastID, Event: name, Data: d[:len(d)-1]}, nil
		}
		size += len(line) + 1
		if r.max > 0 && size > r.max {
			return Event{}, fmt.Errorf("%w: over %d bytes", ErrEventTooLarge, r.max)
		}
		if line[0] == ':' {
			r.comments++
			continue
		}
		inEvent = true
		field, value, found := bytes.Cut(line, []byte(":"))
		if found && len(value) > 0 && value[0] == ' ' {
			value = value[1:]
		}
		switch string(field) {
		case "data":
			data.Write(value)
			data.WriteByte('\n')
			hasData = true
		case "event":
			name = string(value)
		case "id":
			if bytes.IndexByte(value, 0) < 0 {
				r.lastID = string(value)
			}
		case "retry":
			// Values that do not fit in a time.Duration are invalid and,
			// like any invalid retry field, ignored.
			if ms, err := strconv.ParseUint(string(value), 10, 63); err == nil && onlyDigits(value) &&
				ms <= uint64(math.MaxInt64/int64(time.Millisecond)) {
				r.retry = time.Duration(ms) * time.Millisecond
			}
		}
	}
}

func onlyDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(b) > 0
}

// readLine returns the next line without its terminator (CRLF, LF or CR).
// The returned slice is valid until the next call. A final line without a
// terminator is incomplete per the spec, so it is reported as io.EOF.
func (r *Reader) readLine() ([]byte, error) {
	line := r.line[:0]
	defer func() { r.line = line[:0] }()
	for {
		c, err := r.br.ReadByte()
		if err != nil {
			return nil, err
		}
		if r.skipLF {
			r.skipLF = false
			if c == '\n' {
				continue
			}
		}
		if !r.started {
			r.started = true
			// A UTF-8 BOM may open the stream; it is not part of the first line.
			if c == 0xEF {
				if b, err := r.br.Peek(2); err == nil && b[0] == 0xBB && b[1] == 0xBF {
					_, _ = r.br.Discard(2)
					continue
				}
			}
		}
		switch c {
		case '\n':
			return line, nil
		case '\r':
			// Do not wait for the next byte to see whether it is LF: on a
			// live stream it may come only with the next event.
			r.skipLF = true
			return line, nil
		}
		line = append(line, c)
		if r.max > 0 && len(line) > r.max {
			return nil, fmt.Errorf("%w: line over %d bytes", ErrEventTooLarge, r.max)
		}
	}
}
