package httpx

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestMetricsByRouteTemplate(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	router := NewRouter()
	router.HandleFunc("/beacons/{beaconId}", func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, http.StatusNotFound, "no beacon")
	}).Methods(http.MethodGet)
	h := Chain(router, m.Middleware)

	for _, p := range []string{"/beacons/a", "/beacons/b", "/random/1", "/random/2"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, p, nil))
	}
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("BREW", "/beacons/a", nil))

	if got := testutil.ToFloat64(m.requests.WithLabelValues("/beacons/{beaconId}", "GET", "404")); got != 2 {
		t.Errorf("route counter = %v, want 2", got)
	}
	if got := testutil.ToFloat64(m.requests.WithLabelValues(UnmatchedRoute, "GET", "404")); got != 2 {
		t.Errorf("unmatched counter = %v, want 2", got)
	}
	if got := testutil.ToFloat64(m.requests.WithLabelValues("unmatched", "OTHER", "405")); got != 1 {
		t.Errorf("odd-method counter = %v, want 1", got)
	}
	// Raw paths must never become label values.
	if n := testutil.CollectAndCount(m.requests); n != 3 {
		t.Errorf("%d request series, want 3", n)
	}
	if n := testutil.CollectAndCount(m.duration); n != 3 {
		t.Errorf("%d duration series, want 3", n)
	}
	if got := testutil.ToFloat64(m.inFlight); got != 0 {
		t.Errorf("in flight = %v after all requests", got)
	}
}

func TestMetricsHandler(t *testing.T) {
	reg := NewRegistry()
	m := NewMetrics(reg)
	h := Chain(http.HandlerFunc(Healthz), m.Middleware)
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/healthz", nil))

	rec := httptest.NewRecorder()
	MetricsHandler(reg).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		`http_requests_total{method="GET",route="unmatched",status="200"} 1`,
		"http_request_duration_seconds_bucket",
		"http_requests_in_flight",
		"go_goroutines",
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}
