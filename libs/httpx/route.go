package httpx

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/gorilla/mux"
)

// UnmatchedRoute is the route label of requests that matched no route. Raw
// paths are never used as labels: clients choose them, and every distinct
// label value is a new time series.
const UnmatchedRoute = "unmatched"

type routeKey struct{}

// routeHolder is created by the outer middlewares (access log, metrics) and
// filled in by the router once it has matched, because the router hands the
// matched route to the inner handler only, through a derived request.
type routeHolder struct{ route string }

func (h *routeHolder) label() string {
	if h.route == "" {
		return UnmatchedRoute
	}
	return h.route
}

// withRoute returns r with a route holder in its context, reusing one put
// there by an outer middleware.
func withRoute(r *http.Request) (*http.Request, *routeHolder) {
	if h, ok := r.Context().Value(routeKey{}).(*routeHolder); ok {
		return r, h
	}
	h := &routeHolder{}
	return r.WithContext(context.WithValue(r.Context(), routeKey{}, h)), h
}

// SetRoute records the route template that matched r (for example
// "/beacons/{beaconId}") for logs and metrics. NewRouter does it for every
// mux route; call it yourself only with another router.
func SetRoute(r *http.Request, route string) {
	if h, ok := r.Context().Value(routeKey{}).(*routeHolder); ok {
		h.route = route
	}
}

// NewRouter returns a gorilla/mux router whose 404 and 405 answers are JSON
// errors and which records each matched route template for logs and metrics.
func NewRouter() *mux.Router {
	router := mux.NewRouter()
	router.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, http.StatusNotFound, "no such endpoint")
	})
	router.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// RFC 9110 section 15.5.6: a 405 lists the methods the resource supports.
		if allow := allowedMethods(router, r); len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
		}
		WriteError(w, http.StatusMethodNotAllowed, "method not allowed")
	})
	router.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if route := mux.CurrentRoute(r); route != nil {
				if tmpl, err := route.GetPathTemplate(); err == nil {
					SetRoute(r, tmpl)
				}
			}
			next.ServeHTTP(w, r)
		})
	})
	return router
}

// allowedMethods returns, sorted, the methods of the routes that match r in
// everything but the method: the value of a 405's Allow header.
func allowedMethods(router *mux.Router, r *http.Request) []string {
	var allow []string
	_ = router.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		methods, err := route.GetMethods()
		if err != nil { // a route without a method matcher (or a subrouter's parent)
			return nil
		}
		var m mux.RouteMatch
		if route.Match(r, &m) || m.MatchErr == mux.ErrMethodMismatch {
			for _, method := range methods {
				if !slices.Contains(allow, method) {
					allow = append(allow, method)
				}
			}
		}
		return nil
	})
	slices.Sort(allow)
	return allow
}

// Chain wraps h in middlewares; the first one listed is the outermost, so
// Chain(h, RequestID, AccessLog(l)) runs RequestID first.
func Chain(h http.Handler, middlewares ...func(http.Handler) http.Handler) http.Handler {
	for i := len(middlewares) - 1; i >= 0; i-- {
		h = middlewares[i](h)
	}
	return h
}
