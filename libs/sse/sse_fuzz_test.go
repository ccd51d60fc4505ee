package sse

// Fuzz targets for the event-stream framing: the Reader must survive any
// byte stream a server (or a man in the middle) sends, and every event the
// Encoder accepts must come back from the Reader unchanged. Seed corpora run
// as ordinary tests; tools/fuzz-check runs them with -fuzz.

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func FuzzReader(f *testing.F) {
	for _, s := range []string{
		"data: hello\n\n", "\xEF\xBB\xBFdata: bom\r\n\r\n", "id: 1\nevent: sighting\ndata: {}\n\n",
		": heartbeat\n\n", "data: a\rdata: b\r\r", "data\n\n", "retry: 1000\n\n", "retry: -1\nretry: 99999999999999999999\n\n",
		"id: a\x00b\ndata: x\n\n", "data: cut off", "event: x\n", "data:no-space\n\ndata:  two\n\n",
		strings.Repeat("data: x\n", 100) + "\n", "\r\n\r\n\n\r",
	} {
		f.Add([]byte(s), 64)
	}
	f.Fuzz(func(t *testing.T, stream []byte, max int) {
		if max <= 0 || max > 4096 {
			max = 64
		}
		r := NewReader(bytes.NewReader(stream))
		r.SetMaxEventBytes(max)
		for i := 0; ; i++ {
			if i > len(stream)+1 {
				t.Fatalf("more events (%d) than bytes in the stream", i)
			}
			ev, err := r.Next()
			if err != nil {
				if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, ErrEventTooLarge) {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if ev.Event == "" {
				t.Fatalf("event %d has no name (want \"message\" by default)", i)
			}
			if len(ev.Data) > max {
				t.Fatalf("event %d has %d data bytes, over the %d limit", i, len(ev.Data), max)
			}
			if strings.ContainsAny(ev.Event, "\r\n") || strings.ContainsAny(ev.ID, "\r\n\x00") {
				t.Fatalf("event %d: line break or NUL leaked into a field: %+v", i, ev)
			}
			if r.Retry() < 0 {
				t.Fatalf("negative retry %v", r.Retry())
			}
		}
	})
}

func FuzzEventRoundTrip(f *testing.F) {
	f.Add("1", "sighting", `{"beaconId":"x"}`, int64(0))
	f.Add("", "", "", int64(1500))
	f.Add(" spaced id", " spaced", " leading space\r\nline2\rline3\n", int64(999))
	f.Add("id", "name", "a\r", int64(time.Millisecond))
	f.Add("x\ny", "event", "data", int64(0))
	f.Add("nul\x00", "e", "d", int64(0))
	f.Add("id", "e\rvil", "d", int64(0))
	f.Add("id", "e", "data: injected\n\nid: 666", int64(0))
	f.Fuzz(func(t *testing.T, id, name, data string, retry int64) {
		ev := Event{ID: id, Event: name, Data: data, Retry: time.Duration(retry)}
		wire, err := ev.Encode()
		if err != nil {
			if !errors.Is(err, ErrInvalidEvent) {
				t.Fatalf("Encode error %v is not ErrInvalidEvent", err)
			}
			if !strings.ContainsAny(id, "\r\n\x00") && !strings.ContainsAny(name, "\r\n") {
				t.Fatalf("Encode refused a valid event %+v: %v", ev, err)
			}
			return
		}
		r := NewReader(bytes.NewReader(wire))
		r.SetMaxEventBytes(0) // no limit: this checks framing, not size
		got, err := r.Next()
		if err != nil {
			t.Fatalf("Next on %q: %v", wire, err)
		}
		want := Event{ID: id, Event: name, Data: strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(data)}
		if want.Event == "" {
			want.Event = "message"
		}
		if got != want {
			t.Fatalf("round trip of %+v via %q = %+v, want %+v", ev, wire, got, want)
		}
		if ev.Retry > 0 && r.Retry() != ev.Retry.Truncate(time.Millisecond) {
			t.Fatalf("retry %v came back as %v", ev.Retry, r.Retry())
		}
		// One event, no more: a field cannot inject a second one.
		if extra, err := r.Next(); !errors.Is(err, io.EOF) {
			t.Fatalf("a second event came out of %q: %+v, %v", wire, extra, err)
		}
	})
}
