package httpx

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestOpenAPI(t *testing.T) {
	doc := []byte("openapi: 3.0.3\n")
	rec := httptest.NewRecorder()
	OpenAPI(doc)(rec, httptest.NewRequest(http.MethodGet, "/openapi.yaml", nil))
	if rec.Code != 200 || rec.Body.String() != string(doc) {
		t.Fatalf("status %d body %q", rec.Code, rec.Body)
	}
	if ct, cc := rec.Header().Get("Content-Type"), rec.Header().Get("Cache-Control"); ct != "application/yaml" || cc != "no-cache" {
		t.Errorf("Content-Type %q, Cache-Control %q", ct, cc)
	}
}
