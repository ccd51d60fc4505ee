// Package httpxtest holds test helpers shared by the services' HTTP tests:
// sending a request and reading the whole answer, checking the contract
// error body, and checking a router against the service's openapi.yaml.
package httpxtest

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/find-peers/find-peers/libs/httpx"
)

// Do sends a request with http.DefaultClient (contentType "" sends no
// Content-Type) and returns the response with its whole body read; any
// transport failure fails the test.
func Do(t testing.TB, method, url, contentType, body string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// ErrorMessage checks that an answer is a contract error, a JSON
// {"error": "..."} with a non-empty message, and returns the message.
func ErrorMessage(t testing.TB, resp *http.Response, body []byte) string {
	t.Helper()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("error Content-Type = %q", ct)
	}
	var e struct {
		Error *string `json:"error"`
	}
	if err := json.Unmarshal(body, &e); err != nil || e.Error == nil || *e.Error == "" {
		t.Fatalf("not a contract error: %q (%v)", body, err)
	}
	return *e.Error
}

// Ops are the operational endpoints of a test server: a fresh registry, so
// many servers fit in one process, and a one-second /readyz bound.
func Ops(checks ...httpx.Check) httpx.Ops {
	return httpx.Ops{Registry: httpx.NewRegistry(), ReadyTimeout: time.Second, Checks: checks}
}

// CheckOpenAPIRoutes keeps a service's openapi.yaml (doc) in step with its
// router: every route template must be a path of the document, and every
// method the route serves an operation of that path (HEAD is implied by
// get); and every path of the document must be routed. A route without a
// method matcher (the gateway's proxied prefixes) forwards whatever comes,
// so it is only checked the second way. It reads the YAML as text, relying
// on the layout of the services' documents: paths indented by two spaces,
// operations by four.
func CheckOpenAPIRoutes(t testing.TB, doc []byte, router *mux.Router) {
	t.Helper()
	text := string(doc)
	n := 0
	err := router.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		tmpl, err := route.GetPathTemplate()
		if err != nil {
			return err
		}
		methods, err := route.GetMethods()
		if err != nil {
			return nil // no method matcher: a forwarder, see above
		}
		start := strings.Index(text, "\n  "+tmpl+":\n")
		if start < 0 {
			t.Errorf("openapi.yaml lacks path %s", tmpl)
			return nil
		}
		// The path's block runs to the next path (a line indented by two).
		block := text[start+1:]
		if end := strings.Index(block[len(tmpl)+4:], "\n  /"); end >= 0 {
			block = block[:len(tmpl)+4+end]
		}
		for _, m := range methods {
			if m == http.MethodHead {
				continue // implied by get
			}
			if !strings.Contains(block, "\n    "+strings.ToLower(m)+":") {
				t.Errorf("openapi.yaml lacks %s %s", m, tmpl)
			}
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no routes walked")
	}
	for _, line := range strings.Split(text, "\n") {
		path, ok := strings.CutPrefix(line, "  /")
		if !ok || !strings.HasSuffix(path, ":") {
			continue
		}
		path = "/" + placeholder.ReplaceAllString(strings.TrimSuffix(path, ":"), "x")
		var m mux.RouteMatch
		if router.Match(httptest.NewRequest(http.MethodGet, path, nil), &m); m.MatchErr == mux.ErrNotFound {
			t.Errorf("openapi.yaml documents %s, which no route serves", path)
		}
	}
}

// placeholder is a path parameter of an OpenAPI path, e.g. {beaconId}.
var placeholder = regexp.MustCompile(`\{[^}/]+\}`)

// CheckOpenAPIPattern keeps a pattern that the documents state and the code
// enforces in step: doc must give `pattern: '<pattern>'` exactly want times
// (name says which constant, for the message).
func CheckOpenAPIPattern(t testing.TB, doc []byte, name, pattern string, want int) {
	t.Helper()
	if got := strings.Count(string(doc), "pattern: '"+pattern+"'"); got != want {
		t.Errorf("openapi.yaml gives %s %d times, want %d", name, got, want)
	}
}

// CheckJSONAnswer fails t unless a handler's answer is below 500 and JSON
// (content type and body): what every fuzz target of a handler demands.
func CheckJSONAnswer(t testing.TB, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code >= 500 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body.Bytes())
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("status %d with Content-Type %q", rec.Code, ct)
	}
	if !json.Valid(rec.Body.Bytes()) {
		t.Fatalf("status %d with a body that is not JSON: %q", rec.Code, rec.Body.Bytes())
	}
}

// CheckOpenAPIParameterLimit keeps a limit that the documents state and the
// code enforces in step: in doc, the parameter param of operation op (by
// operationId) must give keyword (maxItems, maximum, ...) as want. Like
// CheckOpenAPIRoutes it reads the YAML as text: the operation runs from its
// operationId to its responses, a parameter from its name to the next
// parameter.
func CheckOpenAPIParameterLimit(t testing.TB, doc []byte, op, param, keyword string, want int) {
	t.Helper()
	text := string(doc)
	start := strings.Index(text, "operationId: "+op+"\n")
	if start < 0 {
		t.Errorf("openapi.yaml has no operation %s", op)
		return
	}
	operation := text[start:]
	if end := strings.Index(operation, "responses:"); end >= 0 {
		operation = operation[:end]
	}
	p := strings.Index(operation, "name: "+param+"\n")
	if p < 0 {
		p = strings.Index(operation, "name: "+param+",")
	}
	if p < 0 {
		t.Errorf("openapi.yaml: operation %s has no parameter %s", op, param)
		return
	}
	block := operation[p+len("name: "):]
	if next := nextParameter.FindStringIndex(block); next != nil {
		block = block[:next[0]]
	}
	m := regexp.MustCompile(`\b` + regexp.QuoteMeta(keyword) + `: (\d+)`).FindStringSubmatch(block)
	if m == nil {
		t.Errorf("openapi.yaml: parameter %s of %s gives no %s", param, op, keyword)
		return
	}
	if m[1] != strconv.Itoa(want) {
		t.Errorf("openapi.yaml: parameter %s of %s gives %s %s, the code %d", param, op, keyword, m[1], want)
	}
}

// nextParameter starts the next entry of a parameters list.
var nextParameter = regexp.MustCompile(`\n\s*- (\{\s*)?name:`)

// FreeAddr returns a loopback address whose port was free a moment ago, for
// a server under test that must be given its address before it listens.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
