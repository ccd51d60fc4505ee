package service_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/find-peers/find-peers/libs/httpx/httpxtest"
	"github.com/find-peers/find-peers/libs/service"
	"github.com/find-peers/find-peers/libs/service/servicetest"
)

func TestDebugAddrMustBeLoopback(t *testing.T) {
	var ran string
	servicetest.CheckUsage(t, demo(&ran), []servicetest.UsageCase{
		{Name: "any interface", Args: []string{"-debug-addr", ":6060"}, Code: 2, Msg: `":6060" is not a loopback address`},
		{Name: "routable address", Args: []string{"-debug-addr", "10.0.0.1:6060"}, Code: 2, Msg: "not a loopback address"},
		{Name: "host name", Args: []string{"-debug-addr", "example.invalid:6060"}, Code: 2, Msg: "not a loopback address"},
		{Name: "env", Env: map[string]string{"DEMO_DEBUG_ADDR": "0.0.0.0:6060"}, Code: 2, Msg: "DEMO_DEBUG_ADDR"},
		{Name: "no port", Args: []string{"-debug-addr", "127.0.0.1"}, Code: 2, Msg: "not host:port"},
	})
	if ran != "" {
		t.Errorf("a bad -debug-addr ran %q", ran)
	}
	for _, addr := range []string{"127.0.0.1:6060", "[::1]:6060", "localhost:6060", "127.0.0.2:0"} {
		ran = ""
		if code := demo(&ran)([]string{"-debug-addr", addr}, servicetest.Env(nil), io.Discard); code != 7 || ran != "serve" {
			t.Errorf("-debug-addr %s: exit %d, ran %q; want 7, serve", addr, code, ran)
		}
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	var last error
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get(url)
		if err != nil {
			last = err
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(body)
	}
	t.Fatalf("GET %s: %v", url, last)
	return 0, ""
}

func TestServeHTTPServesProfilesBesideTheAPI(t *testing.T) {
	api, debug := httpxtest.FreeAddr(t), httpxtest.FreeAddr(t)
	s := service.Settings{DebugAddr: debug}
	s.Server.Addr = api
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "api") })
	go func() { done <- service.ServeHTTP(ctx, s, h, slog.New(slog.DiscardHandler)) }()

	if code, body := get(t, "http://"+api+"/debug/pprof/"); code != 200 || body != "api" {
		t.Errorf("API listener: %d %q; want the API's handler, no profiles", code, body)
	}
	if code, body := get(t, "http://"+debug+"/debug/pprof/"); code != 200 || !strings.Contains(body, "goroutine") {
		t.Errorf("debug listener index: %d %.200q; want 200 listing the profiles", code, body)
	}
	if code, body := get(t, "http://"+debug+"/debug/pprof/profile?seconds=1"); code != 200 || !strings.HasPrefix(body, "\x1f\x8b") {
		t.Errorf("CPU profile: %d %.50q; want 200 and a gzipped profile", code, body)
	}
	if code, _ := get(t, "http://"+debug+"/"); code != 404 {
		t.Errorf("debug listener /: %d; want 404", code)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("ServeHTTP: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ServeHTTP did not return after its context ended")
	}
	if _, err := net.DialTimeout("tcp", debug, time.Second); err == nil {
		t.Error("the debug listener still accepts connections after ServeHTTP returned")
	}
}

func TestServeHTTPFailsOnABusyDebugAddr(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	s := service.Settings{DebugAddr: ln.Addr().String()}
	s.Server.Addr = httpxtest.FreeAddr(t)
	err = service.ServeHTTP(context.Background(), s, http.NotFoundHandler(), slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "debug listener") {
		t.Fatalf("ServeHTTP on a busy debug address: %v; want a debug listener error", err)
	}
}
