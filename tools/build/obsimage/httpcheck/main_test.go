package main

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestCheck(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/health" {
			http.Error(w, "down", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	if err := check(srv.URL+"/health", time.Second); err != nil {
		t.Errorf("healthy: %v", err)
	}
	if err := check(srv.URL+"/other", time.Second); err == nil {
		t.Error("503 passed the check")
	}
	if err := check("http://127.0.0.1:1/", time.Second); err == nil {
		t.Error("a closed port passed the check")
	}
}
