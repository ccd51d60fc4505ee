package httpx

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// startServer runs ServeListener on a free loopback port and returns its base
// URL, the cancel that starts shutdown, and the channel with Serve's result.
func startServer(t *testing.T, cfg ServerConfig, h http.Handler) (string, context.CancelFunc, <-chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return startServerOn(t, ln, cfg, h)
}

// startServerOn is startServer on a given listener.
func startServerOn(t *testing.T, ln net.Listener, cfg ServerConfig, h http.Handler) (string, context.CancelFunc, <-chan error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	finished := make(chan struct{})
	go func() {
		done <- ServeListener(ctx, ln, cfg, h, discardLogger())
		close(finished)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-finished:
		case <-time.After(5 * time.Second):
			t.Error("server did not stop")
		}
	})
	return "http://" + ln.Addr().String(), cancel, done
}

func TestServeListenerServes(t *testing.T) {
	url, _, _ := startServer(t, ServerConfig{}, http.HandlerFunc(Healthz))
	resp, err := http.Get(url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("status = %d", resp.StatusCode)
	}
}

func TestServeDrainsInFlightRequests(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	var handlerCtxErr error
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		handlerCtxErr = r.Context().Err()
		_, _ = w.Write([]byte("done"))
	})
	url, cancel, done := startServer(t, ServerConfig{ShutdownTimeout: 5 * time.Second}, h)

	type result struct {
		body string
		err  error
	}
	res := make(chan result, 1)
	go func() {
		resp, err := http.Get(url)
		if err != nil {
			res <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		res <- result{string(b), err}
	}()
	<-started
	cancel() // SIGTERM
	select {
	case err := <-done:
		t.Fatalf("Serve returned %v with a request in flight", err)
	case <-time.After(100 * time.Millisecond):
	}
	// New connections are refused while draining.
	if _, err := net.DialTimeout("tcp", strings.TrimPrefix(url, "http://"), time.Second); err == nil {
		t.Error("server still accepts connections while shutting down")
	}
	close(release)
	r := <-res
	if r.err != nil || r.body != "done" {
		t.Errorf("in-flight request got %q, %v", r.body, r.err)
	}
	if handlerCtxErr != nil {
		t.Errorf("in-flight request context was cancelled by shutdown: %v", handlerCtxErr)
	}
	if err := <-done; err != nil {
		t.Errorf("Serve = %v, want nil after graceful shutdown", err)
	}
}

func TestServeSignalsStreamsToStop(t *testing.T) {
	started := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
		_ = http.NewResponseController(w).Flush()
		close(started)
		select {
		case <-ShuttingDown(r.Context()):
		case <-r.Context().Done():
		}
	})
	url, cancel, done := startServer(t, ServerConfig{ShutdownTimeout: 5 * time.Second}, h)
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	<-started
	start := time.Now()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Serve = %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("shutdown waited %v for a stream that was told to stop", d)
	}
}

func TestServeShutdownTimeoutCutsStuckRequests(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	defer close(release)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
	})
	url, cancel, done := startServer(t, ServerConfig{ShutdownTimeout: 100 * time.Millisecond}, h)
	go func() {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
		}
	}()
	<-started
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Error("Serve = nil, want a shutdown timeout error")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not give up after ShutdownTimeout")
	}
}

func TestServeListenError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	err = Serve(context.Background(), ServerConfig{Addr: ln.Addr().String()}, http.NotFoundHandler(), discardLogger())
	if err == nil || !strings.Contains(err.Error(), ln.Addr().String()) {
		t.Errorf("Serve on a taken port = %v, want an error naming the address", err)
	}
}

func TestShuttingDownOutsideServe(t *testing.T) {
	if ShuttingDown(context.Background()) != nil {
		t.Error("want a nil channel outside Serve")
	}
}

func TestServerConfigDefaults(t *testing.T) {
	c := ServerConfig{Addr: "x", WriteTimeout: time.Minute}.withDefaults()
	d := DefaultServerConfig("x")
	if c.WriteTimeout != time.Minute || c.ReadHeaderTimeout != d.ReadHeaderTimeout || c.MaxHeaderBytes != d.MaxHeaderBytes || c.ShutdownTimeout != d.ShutdownTimeout {
		t.Errorf("withDefaults = %+v", c)
	}
}
