package sse

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func readAll(t *testing.T, stream string) ([]Event, *Reader, error) {
	t.Helper()
	r := NewReader(strings.NewReader(stream))
	var evs []Event
	for {
		ev, err := r.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return evs, r, nil
			}
			return evs, r, err
		}
		evs = append(evs, ev)
	}
}

func TestReaderFraming(t *testing.T) {
	tests := []struct {
		name   string
		stream string
		want   []Event
	}{
		{"simple", "data: hi\n\n", []Event{{Event: "message", Data: "hi"}}},
		{"no space after colon", "data:hi\n\n", []Event{{Event: "message", Data: "hi"}}},
		{"only one space stripped", "data:  hi\n\n", []Event{{Event: "message", Data: " hi"}}},
		{"multi-line data", "data: a\ndata: b\ndata\n\n", []Event{{Event: "message", Data: "a\nb\n"}}},
		{"CRLF", "data: a\r\ndata: b\r\n\r\n", []Event{{Event: "message", Data: "a\nb"}}},
		{"CR", "data: a\rdata: b\r\r", []Event{{Event: "message", Data: "a\nb"}}},
		{"mixed endings", "data: a\r\ndata: b\rdata: c\n\r\n", []Event{{Event: "message", Data: "a\nb\nc"}}},
		{"named event and id", "id: 1\nevent: sighting\ndata: x\n\n", []Event{{ID: "1", Event: "sighting", Data: "x"}}},
		{"id persists", "id: 1\ndata: a\n\ndata: b\n\n", []Event{{ID: "1", Event: "message", Data: "a"}, {ID: "1", Event: "message", Data: "b"}}},
		{"empty id resets", "id: 1\ndata: a\n\nid\ndata: b\n\n", []Event{{ID: "1", Event: "message", Data: "a"}, {ID: "", Event: "message", Data: "b"}}},
		{"id with NUL ignored", "id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n", []Event{{ID: "1", Event: "message", Data: "a"}, {ID: "1", Event: "message", Data: "b"}}},
		{"event name resets", "event: x\ndata: a\n\ndata: b\n\n", []Event{{Event: "x", Data: "a"}, {Event: "message", Data: "b"}}},
		{"comments and heartbeats", ": hello\n\n: heartbeat\ndata: a\n: mid-event\n\n", []Event{{Event: "message", Data: "a"}}},
		{"no data no dispatch", "event: x\n\nid: 5\n\ndata: a\n\n", []Event{{ID: "5", Event: "message", Data: "a"}}},
		{"unknown fields ignored", "foo: bar\ndata: a\nbaz\n\n", []Event{{Event: "message", Data: "a"}}},
		{"empty data dispatches", "data\n\n", []Event{{Event: "message", Data: ""}}},
		{"colon in value", "data: a:b: c\n\n", []Event{{Event: "message", Data: "a:b: c"}}},
		{"BOM skipped", "\xEF\xBB\xBFdata: a\n\n", []Event{{Event: "message", Data: "a"}}},
		{"field names are case-sensitive", "Data: a\ndata: b\n\n", []Event{{Event: "message", Data: "b"}}},
		{"many blank lines", "\n\n\ndata: a\n\n\n\n", []Event{{Event: "message", Data: "a"}}},
		{"utf-8 data", "data: Shrihan Sulgham ✓\n\n", []Event{{Event: "message", Data: "Shrihan Sulgham ✓"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := readAll(t, tt.stream)
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d events %+v, want %+v", len(got), got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("event %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestReaderRetry(t *testing.T) {
	for stream, want := range map[string]time.Duration{
		"retry: 2500\n\n":         2500 * time.Millisecond,
		"retry: 25x\n\n":          0,
		"retry: -5\n\n":           0,
		"retry:\n\n":              0,
		"retry: 10\nretry: x\n\n": 10 * time.Millisecond,
		// Larger than a time.Duration can hold in milliseconds: ignored.
		"retry: 9999999999999\n\n":            0,
		"retry: 10\nretry: 9999999999999\n\n": 10 * time.Millisecond,
		"retry: 9223372036854\n\n":            9223372036854 * time.Millisecond,
		"retry: 9223372036855\n\n":            0,
	} {
		_, r, err := readAll(t, stream)
		if err != nil {
			t.Fatal(err)
		}
		if r.Retry() != want {
			t.Errorf("%q: retry = %v, want %v", stream, r.Retry(), want)
		}
	}
}

func TestReaderTruncatedEventDiscarded(t *testing.T) {
	r := NewReader(strings.NewReader("data: a\n\ndata: b"))
	if ev, err := r.Next(); err != nil || ev.Data != "a" {
		t.Fatalf("first = %+v, %v", ev, err)
	}
	if ev, err := r.Next(); !errors.Is(err, io.EOF) {
		t.Errorf("second = %+v, %v, want the cut-off event discarded", ev, err)
	}
	r = NewReader(strings.NewReader("data: a\ndata: b\n"))
	if _, err := r.Next(); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("err = %v, want io.ErrUnexpectedEOF for an undispatched event", err)
	}
}

func TestReaderEventTooLarge(t *testing.T) {
	r := NewReader(strings.NewReader("data: " + strings.Repeat("x", 100) + "\n\n"))
	r.SetMaxEventBytes(50)
	if _, err := r.Next(); !errors.Is(err, ErrEventTooLarge) {
		t.Errorf("long line: err = %v", err)
	}
	r = NewReader(strings.NewReader(strings.Repeat("data: xxxxxxxx\n", 20) + "\n"))
	r.SetMaxEventBytes(100)
	if _, err := r.Next(); !errors.Is(err, ErrEventTooLarge) {
		t.Errorf("many lines: err = %v", err)
	}
}

func TestReaderCountsComments(t *testing.T) {
	_, r, _ := readAll(t, ": a\n\n: b\n\n")
	if r.Comments() != 2 {
		t.Errorf("comments = %d", r.Comments())
	}
}

// TestReaderDoesNotWaitAfterCR checks that an event ending in CR is
// dispatched without waiting for the next byte, which on a live stream may
// come only much later.
func TestReaderDoesNotWaitAfterCR(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	go func() { _, _ = pw.Write([]byte("data: a\r\r")) }()
	r := NewReader(pr)
	got := make(chan Event, 1)
	go func() {
		ev, _ := r.Next()
		got <- ev
	}()
	select {
	case ev := <-got:
		if ev.Data != "a" {
			t.Errorf("event = %+v", ev)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Next blocked waiting for a byte after CR")
	}
}

func TestEncodeReadRoundTrip(t *testing.T) {
	for _, ev := range []Event{
		{Data: "plain"},
		{ID: "42", Event: "sighting", Data: `{"name":"Anil Sulgham"}`},
		{Data: "line1\nline2\r\nline3\rline4"},
		{Data: "  two leading spaces"},
		{Data: ""},
		{Data: "\n"},
		{Data: ": not a comment"},
	} {
		frame, err := ev.Encode()
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := readAll(t, string(frame))
		if err != nil || len(got) != 1 {
			t.Fatalf("%q: got %+v, %v", frame, got, err)
		}
		want := strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(ev.Data)
		if got[0].Data != want || got[0].ID != ev.ID {
			t.Errorf("round trip of %+v = %+v", ev, got[0])
		}
	}
}
