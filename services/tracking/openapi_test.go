package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/mux"

	"github.com/find-peers/find-peers/libs/httpx"
	"github.com/find-peers/find-peers/libs/sse"
)

// TestOpenAPIDocumentsEveryRoute keeps openapi.yaml in step with the router:
// every route and method served must be described.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	doc := string(openAPI)
	router := newRouter(deps{store: newFakeStore(), events: sse.NewBroker(1)}, httpx.NewRegistry())
	n := 0
	err := router.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		tmpl, err := route.GetPathTemplate()
		if err != nil {
			return err
		}
		methods, _ := route.GetMethods()
		start := strings.Index(doc, "\n  "+tmpl+":\n")
		if start < 0 {
			t.Errorf("openapi.yaml lacks path %s", tmpl)
			return nil
		}
		// The path's block runs to the next path (a line indented by two).
		block := doc[start+1:]
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
}
