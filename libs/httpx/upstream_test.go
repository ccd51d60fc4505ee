package httpx

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
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
