package sse

import (
	"errors"
	"testing"
	"time"
)

func TestEncode(t *testing.T) {
	tests := []struct {
		name string
		ev   Event
		want string
	}{
		{"data only", Event{Data: "hello"}, "data: hello\n\n"},
		{"empty data", Event{}, "data: \n\n"},
		{"all fields", Event{ID: "7", Event: "sighting", Data: `{"a":1}`, Retry: 1500 * time.Millisecond},
			"id: 7\nevent: sighting\nretry: 1500\ndata: {\"a\":1}\n\n"},
		{"multi-line LF", Event{Data: "a\nb"}, "data: a\ndata: b\n\n"},
		{"multi-line CRLF", Event{Data: "a\r\nb"}, "data: a\ndata: b\n\n"},
		{"multi-line CR", Event{Data: "a\rb"}, "data: a\ndata: b\n\n"},
		{"trailing newline", Event{Data: "a\n"}, "data: a\ndata: \n\n"},
		{"blank lines kept", Event{Data: "a\n\nb"}, "data: a\ndata: \ndata: b\n\n"},
		{"leading space kept", Event{Data: " x"}, "data:  x\n\n"},
		{"colon in data", Event{Data: "a: b"}, "data: a: b\n\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.ev.Encode()
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("Encode = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestEncodeRejectsInjection(t *testing.T) {
	for name, ev := range map[string]Event{
		"id LF":    {ID: "1\ndata: injected"},
		"id CR":    {ID: "1\r"},
		"id NUL":   {ID: "1\x00"},
		"event LF": {Event: "x\ndata: y"},
		"event CR": {Event: "x\r"},
	} {
		if _, err := ev.Encode(); !errors.Is(err, ErrInvalidEvent) {
			t.Errorf("%s: err = %v, want ErrInvalidEvent", name, err)
		}
	}
}

func TestComment(t *testing.T) {
	if got := string(Comment("heart\nbeat")); got != ": heart beat\n\n" {
		t.Errorf("Comment = %q", got)
	}
}
