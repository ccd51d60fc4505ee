package httpxtest

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/gorilla/mux"
)

// recordingT records failures instead of failing the test, to check that a
// helper does fail. Like testing.T, its Fatal methods end the goroutine.
type recordingT struct {
	testing.TB
	failed bool
}

func (r *recordingT) Errorf(string, ...any) { r.failed = true }
func (r *recordingT) Fatal(...any)          { r.failed = true; runtime.Goexit() }
func (r *recordingT) Fatalf(string, ...any) { r.failed = true; runtime.Goexit() }
func (r *recordingT) Helper()               {}

// fails reports whether check fails the test it is given.
func fails(t *testing.T, check func(testing.TB)) bool {
	rt := &recordingT{TB: t}
	done := make(chan struct{})
	go func() { defer close(done); check(rt) }()
	<-done
	return rt.failed
}

const doc = `openapi: 3.0.3
paths:
  /things/{id}:
    get:
      summary: one thing
  /things:
    post:
      summary: add a thing
`

func TestCheckOpenAPIRoutes(t *testing.T) {
	documented := mux.NewRouter()
	documented.Handle("/things/{id}", http.NotFoundHandler()).Methods(http.MethodGet, http.MethodHead)
	documented.Handle("/things", http.NotFoundHandler()).Methods(http.MethodPost)
	CheckOpenAPIRoutes(t, []byte(doc), documented)

	for name, add := range map[string]func(*mux.Router){
		"undocumented path":   func(r *mux.Router) { r.Handle("/other", http.NotFoundHandler()).Methods(http.MethodGet) },
		"undocumented method": func(r *mux.Router) { r.Handle("/things/{id}", http.NotFoundHandler()).Methods(http.MethodDelete) },
		"no routes":           func(*mux.Router) {},
		"unrouted path":       func(r *mux.Router) { r.Handle("/things/{id}", http.NotFoundHandler()).Methods(http.MethodGet) },
	} {
		r := mux.NewRouter()
		add(r)
		if !fails(t, func(tb testing.TB) { CheckOpenAPIRoutes(tb, []byte(doc), r) }) {
			t.Errorf("%s: not reported", name)
		}
	}

	// A forwarder (no method matcher) is checked only by the paths it routes.
	forwarder := mux.NewRouter()
	forwarder.Handle("/things", http.NotFoundHandler()).Methods(http.MethodPost)
	forwarder.PathPrefix("/things/").Handler(http.NotFoundHandler())
	CheckOpenAPIRoutes(t, []byte(doc), forwarder)
}

func TestDoAndErrorMessage(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnsupportedMediaType)
		_, _ = w.Write([]byte(`{"error":"got ` + r.Method + ` ` + r.Header.Get("Content-Type") + `"}`))
	}))
	defer srv.Close()
	resp, body := Do(t, http.MethodPost, srv.URL, "text/plain", "x")
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if msg := ErrorMessage(t, resp, body); msg != "got POST text/plain" {
		t.Errorf("message %q", msg)
	}
	if !fails(t, func(tb testing.TB) { ErrorMessage(tb, resp, []byte(`{"status":"ok"}`)) }) {
		t.Error("a body without error accepted")
	}
}

const limitsDoc = `paths:
  /things:
    get:
      operationId: listThings
      parameters:
        - {name: page, in: query, schema: {type: integer, maximum: 50}}
        - name: id
          in: query
          schema:
            type: array
            maxItems: 100
        - name: tag
          in: query
          schema: {type: array, maxItems: 7}
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: array, maxItems: 9}}}}
    post:
      operationId: addThing
`

func TestCheckOpenAPIParameterLimit(t *testing.T) {
	CheckOpenAPIParameterLimit(t, []byte(limitsDoc), "listThings", "id", "maxItems", 100)
	CheckOpenAPIParameterLimit(t, []byte(limitsDoc), "listThings", "tag", "maxItems", 7)
	CheckOpenAPIParameterLimit(t, []byte(limitsDoc), "listThings", "page", "maximum", 50)

	for _, c := range []struct {
		name, op, param, keyword string
		want                     int
	}{
		{"other value", "listThings", "id", "maxItems", 99},
		{"next parameter's limit", "listThings", "page", "maxItems", 100},
		{"the responses' limit", "listThings", "tag", "maxItems", 9},
		{"no such operation", "dropThings", "id", "maxItems", 100},
		{"no such parameter", "listThings", "size", "maxItems", 100},
		{"parameter of other operation", "addThing", "id", "maxItems", 100},
	} {
		check := func(tb testing.TB) {
			CheckOpenAPIParameterLimit(tb, []byte(limitsDoc), c.op, c.param, c.keyword, c.want)
		}
		if !fails(t, check) {
			t.Errorf("%s: not reported", c.name)
		}
	}
}

// TestBlackhole: a connect to it neither succeeds nor is refused; it runs
// into the dialer's timeout, even past one SYN retransmission (1 s).
func TestBlackhole(t *testing.T) {
	addr := Blackhole(t)
	start := time.Now()
	c, err := net.DialTimeout("tcp", addr, 1500*time.Millisecond)
	if err == nil {
		c.Close()
		t.Fatal("connected to the blackhole")
	}
	if ne, ok := errors.AsType[net.Error](err); !ok || !ne.Timeout() {
		t.Fatalf("dial error %v, want a timeout", err)
	}
	if took := time.Since(start); took < 1400*time.Millisecond {
		t.Fatalf("gave up after %s, before the dialer's 1.5 s", took)
	}
}
