package e2e

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/find-peers/find-peers/libs/procstack"
)

// zipkinSpan is the part of a Zipkin v2 span this test reads.
type zipkinSpan struct {
	TraceID       string `json:"traceId"`
	ID            string `json:"id"`
	ParentID      string `json:"parentId"`
	Name          string `json:"name"`
	Kind          string `json:"kind"`
	LocalEndpoint struct {
		ServiceName string `json:"serviceName"`
	} `json:"localEndpoint"`
}

// zipkin is a Zipkin collector endpoint: a real HTTP server on 127.0.0.1
// that takes what the services export (POST /api/v2/spans, JSON v2).
type zipkin struct {
	srv   *httptest.Server
	mu    sync.Mutex
	spans []zipkinSpan
}

func newZipkin(t *testing.T) *zipkin {
	z := &zipkin{}
	z.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var spans []zipkinSpan
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.URL.Path != "/api/v2/spans" || json.Unmarshal(body, &spans) != nil {
			t.Errorf("zipkin: unexpected %s %s (%d bytes)", r.Method, r.URL.Path, len(body))
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		z.mu.Lock()
		z.spans = append(z.spans, spans...)
		z.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(z.srv.Close)
	return z
}

func (z *zipkin) trace(id string) []zipkinSpan {
	z.mu.Lock()
	defer z.mu.Unlock()
	var out []zipkinSpan
	for _, s := range z.spans {
		if s.TraceID == id {
			out = append(out, s)
		}
	}
	return out
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func uuid4() string {
	h := randomHex(16)
	return h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:]
}

// TestTraceOfAnAggregatorRequest runs the system with tracing on, asks the
// aggregator (through the gateway) about a location with 5 beacons, with a
// caller's traceparent, and checks the trace the services exported: the
// caller's trace continued (not replaced); the gateway's server span under
// the caller's span; the aggregator's under the gateway's call; under it 1
// call to beacon and 1 batched call to tracking (GET /tracking/sightings for
// the 5 beacons), each answered by a server span with its Cassandra spans
// below it (tracking: one `beacon_id IN ?` read of the 5 partitions, the
// store reading up to 25 per query); all in one trace.
func TestTraceOfAnAggregatorRequest(t *testing.T) {
	z := newZipkin(t)
	s := startStack(t, func(c *procstack.Config) {
		c.Env = []string{
			"OTEL_TRACES_EXPORTER=zipkin",
			"OTEL_EXPORTER_ZIPKIN_ENDPOINT=" + z.srv.URL + "/api/v2/spans",
			"OTEL_BSP_SCHEDULE_DELAY=100", // ms: export quickly
			"OTEL_TRACES_SAMPLER=parentbased_always_on",
		}
	})
	gw := s.GatewayURL()
	location := uuid4()
	at := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	for i := range 5 {
		beacon := uuid4()
		post(t, gw+"/beacons", fmt.Sprintf(`{"beaconId":%q,"locationId":%q,"beaconName":"Trace Beacon %d"}`, beacon, location, i), http.StatusOK, http.StatusCreated)
		post(t, gw+"/tracking/sightings", fmt.Sprintf(`{"beaconId":%q,"userId":%q,"name":"Traced %d","timeLogged":%q}`,
			beacon, uuid4(), i, at.Add(time.Duration(i)*time.Minute).Format(time.RFC3339)), http.StatusAccepted, http.StatusCreated)
	}

	traceID, callerSpan := randomHex(16), randomHex(8)
	req, _ := http.NewRequest(http.MethodGet, gw+"/aggregator/locations/"+location+"/"+itoa(at.Unix()), nil)
	req.Header.Set("traceparent", "00-"+traceID+"-"+callerSpan+"-01")
	resp, err := (&http.Client{Timeout: 15 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || strings.Count(string(body), `"userId"`) != 5 {
		t.Fatalf("aggregator: %d %s, want 5 users", resp.StatusCode, body)
	}

	// gateway server+client, aggregator server + 2 clients, 2 upstream
	// servers, 1 beacon read and 1 tracking read: 9 spans at least.
	var spans []zipkinSpan
	deadline := time.Now().Add(15 * time.Second)
	for ; time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if spans = z.trace(traceID); complete(spans) {
			break
		}
	}
	checkTrace(t, spans, callerSpan)
}

// complete reports whether the trace has arrived whole enough to check:
// 9 spans and the 2 Cassandra reads (spans come in batches per service;
// Zipkin's model keeps names in lower case).
func complete(spans []zipkinSpan) bool {
	reads := 0
	for _, s := range spans {
		if s.Kind == "CLIENT" && strings.HasPrefix(s.Name, "select ") {
			reads++
		}
	}
	return len(spans) >= 9 && reads >= 2
}

func checkTrace(t *testing.T, spans []zipkinSpan, callerSpan string) {
	t.Helper()
	byID := map[string]zipkinSpan{}
	children := map[string][]zipkinSpan{}
	for _, s := range spans {
		byID[s.ID] = s
		children[s.ParentID] = append(children[s.ParentID], s)
	}
	dump := func() string {
		var b strings.Builder
		for _, s := range spans {
			fmt.Fprintf(&b, "\n  %s %s parent=%s %s %q", s.LocalEndpoint.ServiceName, s.ID, s.ParentID, s.Kind, s.Name)
		}
		return b.String()
	}
	one := func(what string, got []zipkinSpan) zipkinSpan {
		t.Helper()
		if len(got) != 1 {
			t.Fatalf("%s: %d spans, want 1; trace:%s", what, len(got), dump())
		}
		return got[0]
	}
	only := func(list []zipkinSpan, service, kind string) []zipkinSpan {
		var out []zipkinSpan
		for _, s := range list {
			if s.LocalEndpoint.ServiceName == service && s.Kind == kind {
				out = append(out, s)
			}
		}
		return out
	}
	root := one("gateway server span under the caller's span", only(children[callerSpan], "gateway", "SERVER"))
	// (Zipkin's model keeps span names in lower case.)
	if root.Name != "get /aggregator/" {
		t.Errorf("gateway span %q, want it named by its route (the proxy's prefix)", root.Name)
	}
	proxy := one("gateway's call to the aggregator", only(children[root.ID], "gateway", "CLIENT"))
	agg := one("aggregator server span", only(children[proxy.ID], "aggregator", "SERVER"))
	if agg.Name != "get /aggregator/locations/{locationid}/{epochseconds}" {
		t.Errorf("aggregator span %q, want its route", agg.Name)
	}
	calls := only(children[agg.ID], "aggregator", "CLIENT")
	per, reads := map[string]int{}, map[string]int{}
	for _, c := range calls {
		var server []zipkinSpan
		for _, k := range children[c.ID] {
			if k.Kind == "SERVER" {
				server = append(server, k)
			}
		}
		up := one("server span answering "+c.Name, server)
		svc := up.LocalEndpoint.ServiceName
		per[svc]++
		if svc == "tracking" && up.Name != "get /tracking/sightings" {
			t.Errorf("tracking span %q, want the batched route get /tracking/sightings", up.Name)
		}
		for _, k := range children[up.ID] {
			if k.Kind == "CLIENT" && strings.HasPrefix(k.Name, "select ") && k.LocalEndpoint.ServiceName == svc {
				reads[svc]++
			}
		}
	}
	if per["beacon"] != 1 || per["tracking"] != 1 || len(calls) != 2 {
		t.Errorf("aggregator calls: %d (%v), want 1 to beacon and 1 batched call to tracking; trace:%s", len(calls), per, dump())
	}
	if reads["beacon"] < 1 || reads["tracking"] != 1 {
		t.Errorf("Cassandra reads under the upstream spans: %v, want at least 1 in beacon and 1 in tracking (one IN query for the 5 beacons' partitions); trace:%s", reads, dump())
	}
	for _, s := range spans {
		if s.ParentID != callerSpan && byID[s.ParentID].ID == "" {
			t.Errorf("span %q (%s) has a parent %s outside the trace", s.Name, s.LocalEndpoint.ServiceName, s.ParentID)
		}
	}
	t.Logf("trace %s: %d spans, all under the caller's span; aggregator calls %v", spans[0].TraceID, len(spans), per)
}
