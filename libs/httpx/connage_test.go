package httpx

import (
	"context"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// countingListener counts the connections it accepts.
type countingListener struct {
	net.Listener
	accepted atomic.Int32
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.accepted.Add(1)
	}
	return c, err
}

// startCounted serves h with cfg and returns its URL, the accept counter and
// a keep-alive client of its own (not shared with other tests' pools).
func startCounted(t *testing.T, cfg ServerConfig, h http.Handler) (string, *countingListener, *http.Client) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cl := &countingListener{Listener: ln}
	url, _, _ := startServerOn(t, cl, cfg, h)
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return url, cl, &http.Client{Transport: tr}
}

// getClose GETs url and returns the body and whether the server asked to
// close the connection.
func getClose(t *testing.T, c *http.Client, url string) (string, bool) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), resp.Close
}

var okHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") })

func TestMaxConnAgeClosesOldConnections(t *testing.T) {
	const age = 200 * time.Millisecond
	url, ln, c := startCounted(t, ServerConfig{MaxConnAge: age}, okHandler)
	for range 3 {
		if body, closed := getClose(t, c, url); body != "ok" || closed {
			t.Fatalf("young connection: body %q, Connection: close %v", body, closed)
		}
	}
	if n := ln.accepted.Load(); n != 1 {
		t.Fatalf("%d connections before the age, want 1 reused", n)
	}
	time.Sleep(age + age/connAgeJitter + 50*time.Millisecond)
	// The aged connection answers in full, then asks the client to go.
	if body, closed := getClose(t, c, url); body != "ok" || !closed {
		t.Fatalf("aged connection: body %q, Connection: close %v; want ok, true", body, closed)
	}
	for range 2 {
		getClose(t, c, url)
	}
	if n := ln.accepted.Load(); n != 2 {
		t.Fatalf("%d connections after the age, want 2 (one new, then reused)", n)
	}
}

func TestMaxConnAgeZeroKeepsConnections(t *testing.T) {
	url, ln, c := startCounted(t, ServerConfig{}, okHandler)
	getClose(t, c, url)
	time.Sleep(150 * time.Millisecond)
	for range 3 {
		if _, closed := getClose(t, c, url); closed {
			t.Fatal("Connection: close with MaxConnAge 0")
		}
	}
	if n := ln.accepted.Load(); n != 1 {
		t.Fatalf("%d connections, want 1", n)
	}
}

// TestMaxConnAgeSparesStreams: the age is checked when a response starts, so
// a stream that outlives it runs to its end.
func TestMaxConnAgeSparesStreams(t *testing.T) {
	const age = 50 * time.Millisecond
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		for range 4 {
			_, _ = io.WriteString(w, "tick\n")
			_ = http.NewResponseController(w).Flush()
			time.Sleep(age)
		}
	})
	url, _, c := startCounted(t, ServerConfig{MaxConnAge: age}, h)
	if body, closed := getClose(t, c, url); body != "tick\ntick\ntick\ntick\n" || closed {
		t.Fatalf("stream: body %q, Connection: close %v", body, closed)
	}
}

func TestConnCloseAtJitter(t *testing.T) {
	const age = time.Second
	mark := connCloseAt(age)
	for range 100 {
		before := time.Now()
		at := mark(context.Background(), nil).Value(closeAtKey{}).(time.Time)
		if d := at.Sub(before); d < age || d > age+age/connAgeJitter+time.Second/10 {
			t.Fatalf("closes after %s, want %s plus at most a tenth", d, age)
		}
	}
}
