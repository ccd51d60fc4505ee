package httpx

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestNewRouterJSON404And405(t *testing.T) {
	router := NewRouter()
	router.HandleFunc("/things/{id}", func(w http.ResponseWriter, r *http.Request) {}).Methods(http.MethodGet)

	rec := httptest.NewRecorder()
	router.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/nothing", nil))
	if rec.Code != 404 || decodeErrorBody(t, rec) == "" {
		t.Errorf("unknown path: %d %q", rec.Code, rec.Body.String())
	}

	rec = httptest.NewRecorder()
	router.ServeHTTP(rec, httptest.NewRequest(http.MethodDelete, "/things/1", nil))
	if rec.Code != 405 || decodeErrorBody(t, rec) == "" {
		t.Errorf("wrong method: %d %q", rec.Code, rec.Body.String())
	}
}

func TestNewRouter405ListsAllowedMethods(t *testing.T) {
	router := NewRouter()
	noop := func(w http.ResponseWriter, r *http.Request) {}
	router.HandleFunc("/things/{id}", noop).Methods(http.MethodGet, http.MethodHead)
	router.HandleFunc("/things/{id}", noop).Methods(http.MethodPut)
	router.HandleFunc("/things", noop).Methods(http.MethodPost)
	router.HandleFunc("/other/{id}", noop).Methods(http.MethodDelete)
	sub := router.PathPrefix("/sub").Subrouter()
	sub.HandleFunc("/x", noop).Methods(http.MethodPatch)

	for path, want := range map[string]string{
		"/things/1": "GET, HEAD, PUT",
		"/things":   "POST",
		"/sub/x":    "PATCH",
	} {
		rec := httptest.NewRecorder()
		router.ServeHTTP(rec, httptest.NewRequest("TRACE", path, nil))
		if rec.Code != 405 || decodeErrorBody(t, rec) == "" {
			t.Errorf("TRACE %s: %d %q", path, rec.Code, rec.Body.String())
		}
		if got := rec.Header().Get("Allow"); got != want {
			t.Errorf("TRACE %s: Allow = %q, want %q", path, got, want)
		}
	}
}

func TestNewRouterRecordsRouteTemplate(t *testing.T) {
	router := NewRouter()
	router.HandleFunc("/things/{id}", func(w http.ResponseWriter, r *http.Request) {}).Methods(http.MethodGet)
	var route string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r, holder := withRoute(r)
		router.ServeHTTP(w, r)
		route = holder.label()
	})
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/things/42", nil))
	if route != "/things/{id}" {
		t.Errorf("route = %q", route)
	}
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/other/42", nil))
	if route != UnmatchedRoute {
		t.Errorf("unmatched route = %q", route)
	}
}

func TestChainOrder(t *testing.T) {
	var order []string
	mw := func(name string) func(http.Handler) http.Handler {
		return func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				order = append(order, name)
				next.ServeHTTP(w, r)
			})
		}
	}
	h := Chain(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { order = append(order, "handler") }),
		mw("outer"), mw("inner"))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	if got := len(order); got != 3 || order[0] != "outer" || order[1] != "inner" || order[2] != "handler" {
		t.Errorf("order = %v", order)
	}
}
