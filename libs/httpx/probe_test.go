package httpx

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestProbeHealthz(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(Healthz))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	if err := ProbeHealthz(context.Background(), addr, time.Second); err != nil {
		t.Errorf("healthy server: %v", err)
	}
	_, port, _ := net.SplitHostPort(addr)
	for _, wildcard := range []string{":" + port, "0.0.0.0:" + port} {
		if err := ProbeHealthz(context.Background(), wildcard, time.Second); err != nil {
			t.Errorf("wildcard %s: %v", wildcard, err)
		}
	}

	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) }))
	defer bad.Close()
	if err := ProbeHealthz(context.Background(), strings.TrimPrefix(bad.URL, "http://"), time.Second); err == nil {
		t.Error("500 accepted")
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := ln.Addr().String()
	ln.Close()
	if err := ProbeHealthz(context.Background(), closed, time.Second); err == nil {
		t.Error("closed port accepted")
	}
	if err := ProbeHealthz(context.Background(), "nonsense", time.Second); err == nil {
		t.Error("bad address accepted")
	}
}
