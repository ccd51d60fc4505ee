package httpx

import "net/http"

// OpenAPI returns a handler serving doc, a service's OpenAPI document
// embedded in its binary, so the document served always matches the code
// that serves it. no-cache makes clients revalidate after a deploy.
func OpenAPI(doc []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(doc)
	}
}
