package httpx

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestPingHealthz(t *testing.T) {
	var gotPath, gotID string
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotPath, gotID = r.URL.Path, r.Header.Get(RequestIDHeader)
		w.WriteHeader(status)
	}))
	defer srv.Close()
	base, _ := url.Parse(srv.URL + "/base")
	ctx := WithRequestID(context.Background(), "rid-1")

	if err := PingHealthz(ctx, http.DefaultClient.Do, base); err != nil {
		t.Fatalf("healthy upstream: %v", err)
	}
	if gotPath != "/base/healthz" || gotID != "rid-1" {
		t.Errorf("upstream saw path %q, request id %q", gotPath, gotID)
	}
	status = http.StatusServiceUnavailable
	if err := PingHealthz(ctx, http.DefaultTransport.RoundTrip, base); err == nil || !strings.Contains(err.Error(), "status 503") {
		t.Errorf("unhealthy upstream: err %v", err)
	}
	srv.Close()
	if err := PingHealthz(ctx, http.DefaultClient.Do, base); err == nil || !strings.Contains(err.Error(), "GET "+base.String()+"/healthz") {
		t.Errorf("unreachable upstream: err %v", err)
	}
}

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
