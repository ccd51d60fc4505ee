package sse

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/find-peers/find-peers/libs/httpx"
)

func streamServer(t *testing.T, b *Broker, cfg StreamConfig) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.URL.Query().Get("key")
		var filter func(string) bool
		if key != "" {
			filter = func(k string) bool { return k == key }
		}
		_ = b.Serve(w, r, filter, cfg)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func waitSubscribers(t *testing.T, b *Broker, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for b.Stats().Subscribers != n {
		if time.Now().After(deadline) {
			t.Fatalf("subscribers = %d, want %d", b.Stats().Subscribers, n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestServeHeadersEventsAndFilter(t *testing.T) {
	b := NewBroker(8)
	srv := streamServer(t, b, StreamConfig{Heartbeat: time.Hour, Retry: 3 * time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"?key=a", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	for k, want := range map[string]string{
		"Content-Type":      "text/event-stream",
		"Cache-Control":     "no-cache",
		"X-Accel-Buffering": "no",
	} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	// The subscription exists once the headers are there.
	if n, _ := b.Publish("b", Event{Data: "not for us"}); n != 0 {
		t.Errorf("filtered event reached %d", n)
	}
	if n, _ := b.Publish("a", Event{ID: "1", Data: "line1\nline2"}); n != 1 {
		t.Errorf("event reached %d subscribers", n)
	}
	r := NewReader(resp.Body)
	ev, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	if ev.Data != "line1\nline2" || ev.ID != "1" {
		t.Errorf("event = %+v", ev)
	}
	if r.Retry() != 3*time.Second {
		t.Errorf("retry = %v", r.Retry())
	}
}

func TestServeHeartbeats(t *testing.T) {
	b := NewBroker(8)
	srv := streamServer(t, b, StreamConfig{Heartbeat: 20 * time.Millisecond})
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	beats := 0
	deadline := time.Now().Add(5 * time.Second)
	for beats < 3 && time.Now().Before(deadline) {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if line == ": heartbeat\n" {
			beats++
		}
	}
	if beats < 3 {
		t.Errorf("saw %d heartbeats", beats)
	}
}

func TestServeEndsOnClientDisconnect(t *testing.T) {
	b := NewBroker(8)
	srv := streamServer(t, b, StreamConfig{Heartbeat: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	waitSubscribers(t, b, 1)
	cancel()
	resp.Body.Close()
	waitSubscribers(t, b, 0)
}

func TestServeEndsOnBrokerClose(t *testing.T) {
	b := NewBroker(8)
	srv := streamServer(t, b, StreamConfig{Heartbeat: time.Hour})
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	waitSubscribers(t, b, 1)
	b.Close()
	done := make(chan error, 1)
	go func() { _, err := io.ReadAll(resp.Body); done <- err }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("stream ended with %v, want a clean end", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("stream still open after broker close")
	}
}

func TestServeEndsOnServerShutdown(t *testing.T) {
	b := NewBroker(8)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = b.Serve(w, r, nil, StreamConfig{Heartbeat: time.Hour})
	})
	go func() {
		served <- httpx.ServeListener(ctx, ln, httpx.ServerConfig{ShutdownTimeout: 10 * time.Second}, h, slog.New(slog.DiscardHandler))
	}()
	resp, err := http.Get("http://" + ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	waitSubscribers(t, b, 1)
	start := time.Now()
	cancel()
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("ServeListener = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("shutdown waited on the open stream")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("shutdown took %v", d)
	}
}

// TestServeOutlivesServerWriteTimeout checks the stream moves its write
// deadline forward instead of dying at the server-wide WriteTimeout.
func TestServeOutlivesServerWriteTimeout(t *testing.T) {
	b := NewBroker(8)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = b.Serve(w, r, nil, StreamConfig{Heartbeat: 20 * time.Millisecond, WriteTimeout: time.Second})
	}))
	srv.Config.WriteTimeout = 100 * time.Millisecond
	srv.Start()
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	waitSubscribers(t, b, 1)
	time.Sleep(300 * time.Millisecond) // three server write timeouts
	b.Publish("", Event{Data: "still here"})
	ev, err := NewReader(resp.Body).Next()
	if err != nil || ev.Data != "still here" {
		t.Errorf("after the server write timeout: %+v, %v", ev, err)
	}
}

func TestServeSlowClientIsDropped(t *testing.T) {
	b := NewBroker(4)
	srv := streamServer(t, b, StreamConfig{Heartbeat: time.Hour})
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	waitSubscribers(t, b, 1)
	// Never read: socket buffers fill up, then the subscriber's buffer.
	big := strings.Repeat("x", 64<<10)
	deadline := time.Now().Add(10 * time.Second)
	for b.Stats().Dropped == 0 {
		if time.Now().After(deadline) {
			t.Fatal("slow client never dropped")
		}
		start := time.Now()
		b.Publish("", Event{Data: big})
		if d := time.Since(start); d > time.Second {
			t.Fatalf("Publish blocked for %v", d)
		}
	}
	waitSubscribers(t, b, 0)
}

func TestServeRecorder(t *testing.T) {
	// httptest.ResponseRecorder supports neither deadlines nor hijacking;
	// Serve must still work with it (ErrNotSupported is not fatal).
	b := NewBroker(4)
	ctx, cancel := context.WithCancel(context.Background())
	rec := httptest.NewRecorder()
	done := make(chan error, 1)
	go func() {
		done <- b.Serve(rec, httptest.NewRequest(http.MethodGet, "/", nil).WithContext(ctx), nil, StreamConfig{Heartbeat: time.Hour})
	}()
	waitSubscribers(t, b, 1)
	cancel()
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		t.Errorf("Serve = %v", err)
	}
	if rec.Header().Get("Content-Type") != "text/event-stream" || !rec.Flushed {
		t.Errorf("headers %v flushed=%v", rec.Header(), rec.Flushed)
	}
}
