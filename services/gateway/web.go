package main

import (
	"embed"
	"io/fs"
	"net/http"
)

// The web page: web/index.html at "/", its scripts and style under /ui/.
// Embedded, so the image stays one static binary and the page works with
// no network beyond the gateway: no CDN, no external font or script.
//
//go:embed web
var webFiles embed.FS

// pageSecurity confines the page to its own origin: scripts, styles and
// API calls (fetch, EventSource) only from the gateway, no inline script,
// no framing.
const pageSecurity = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; " +
	"img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// webHandlers returns the handler of "/" and of "/ui/{file}" (a flat
// folder: app.js, api.js, people.js, style.css).
func webHandlers() (index, assets http.Handler) {
	sub, err := fs.Sub(webFiles, "web")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	files := http.FileServer(http.FS(sub))
	secure := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Security-Policy", pageSecurity)
			w.Header().Set("X-Content-Type-Options", "nosniff")
			w.Header().Set("Referrer-Policy", "no-referrer")
			// Revalidated each time: embedded files have no modification
			// time, and a new gateway must not be paired with old scripts.
			w.Header().Set("Cache-Control", "no-cache")
			h.ServeHTTP(w, r)
		})
	}
	index = secure(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeFileFS(w, r, sub, "index.html")
	}))
	return index, secure(http.StripPrefix("/ui/", files))
}
