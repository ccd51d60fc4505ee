package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gocql/gocql"

	"github.com/find-peers/find-peers/libs/api"
	"github.com/find-peers/find-peers/libs/httpx"
	"github.com/find-peers/find-peers/libs/httpx/httpxtest"
	"github.com/find-peers/find-peers/libs/storeerr/storeerrtest"
)

// fakeStore is an in-memory store that counts writes and can fail on demand.
type fakeStore struct {
	mu      sync.Mutex
	byID    map[gocql.UUID]api.Beacon
	writes  int
	failErr error // returned by every method when set
	// lastLimit is the limit of the last Locations call.
	lastLimit int
}

func newFakeStore(beacons ...api.Beacon) *fakeStore {
	f := &fakeStore{byID: map[gocql.UUID]api.Beacon{}}
	for _, b := range beacons {
		f.byID[b.BeaconID] = b
	}
	return f
}

func (f *fakeStore) BeaconsAt(ctx context.Context, loc gocql.UUID) ([]api.Beacon, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failErr != nil {
		return nil, f.failErr
	}
	out := []api.Beacon{} // the store contract: empty, never nil
	for _, b := range f.byID {
		if b.LocationID == loc {
			out = append(out, b)
		}
	}
	return out, nil
}

func (f *fakeStore) Beacon(ctx context.Context, id gocql.UUID) (api.Beacon, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failErr != nil {
		return api.Beacon{}, f.failErr
	}
	b, ok := f.byID[id]
	if !ok {
		return api.Beacon{}, fmt.Errorf("select beacon %s: %w", id, errNotFound)
	}
	return b, nil
}

func (f *fakeStore) PutBeacon(ctx context.Context, b api.Beacon) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failErr != nil {
		return f.failErr
	}
	f.writes++
	f.byID[b.BeaconID] = b
	return nil
}

// Locations pages over the distinct locations in id order; its paging state
// is the index of the next location, as text.
func (f *fakeStore) Locations(ctx context.Context, limit int, page []byte) ([]gocql.UUID, []byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failErr != nil {
		return nil, nil, f.failErr
	}
	f.lastLimit = limit
	seen := map[gocql.UUID]bool{}
	var all []gocql.UUID
	for _, b := range f.byID {
		if !seen[b.LocationID] {
			seen[b.LocationID] = true
			all = append(all, b.LocationID)
		}
	}
	slices.SortFunc(all, func(a, b gocql.UUID) int { return strings.Compare(a.String(), b.String()) })
	from := 0
	if page != nil {
		n, err := strconv.Atoi(string(page))
		if err != nil || n < 0 || n > len(all) {
			return nil, nil, fmt.Errorf("fake: %w", errBadPage)
		}
		from = n
	}
	to := min(from+limit, len(all))
	var next []byte
	if to < len(all) {
		next = []byte(strconv.Itoa(to))
	}
	return all[from:to], next, nil
}

func (f *fakeStore) writeCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.writes
}

var (
	kitchenLoc = gocql.MustRandomUUID()
	kitchen    = api.Beacon{LocationID: kitchenLoc, BeaconID: gocql.MustRandomUUID(), BeaconName: "Kitchen Beacon"}
	pantry     = api.Beacon{LocationID: kitchenLoc, BeaconID: gocql.MustRandomUUID(), BeaconName: "Pantry Beacon"}
)

func newServer(t *testing.T, s store, checks ...httpx.Check) *httptest.Server {
	t.Helper()
	logger := slog.New(slog.DiscardHandler)
	srv := httptest.NewServer(routes(s, httpxtest.Ops(checks...), 5*time.Second, logger))
	t.Cleanup(srv.Close)
	return srv
}

func TestBeaconsAtLocation(t *testing.T) {
	srv := newServer(t, newFakeStore(kitchen, pantry))
	resp, body := httpxtest.Do(t, "GET", srv.URL+"/beacons/locations/"+kitchenLoc.String(), "", "")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var got []api.Beacon
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %+v", got)
	}
	names := map[string]bool{got[0].BeaconName: true, got[1].BeaconName: true}
	if !names["Kitchen Beacon"] || !names["Pantry Beacon"] {
		t.Errorf("got %+v", got)
	}
	// The wire names are the contract's.
	if !strings.Contains(string(body), `"locationId"`) || !strings.Contains(string(body), `"beaconId"`) || !strings.Contains(string(body), `"beaconName"`) {
		t.Errorf("wire names: %s", body)
	}
}

func TestBeaconsAtUnknownLocationIsEmptyList(t *testing.T) {
	srv := newServer(t, newFakeStore(kitchen))
	resp, body := httpxtest.Do(t, "GET", srv.URL+"/beacons/locations/"+gocql.MustRandomUUID().String(), "", "")
	if resp.StatusCode != 200 || strings.TrimSpace(string(body)) != "[]" {
		t.Errorf("got %d %s, want 200 []", resp.StatusCode, body)
	}
}

func TestGetBeacon(t *testing.T) {
	srv := newServer(t, newFakeStore(kitchen))
	resp, body := httpxtest.Do(t, "GET", srv.URL+"/beacons/"+kitchen.BeaconID.String(), "", "")
	var got api.Beacon
	if resp.StatusCode != 200 || json.Unmarshal(body, &got) != nil || got != kitchen {
		t.Errorf("got %d %s", resp.StatusCode, body)
	}
	// Upper-case hex is the same UUID.
	resp, _ = httpxtest.Do(t, "GET", srv.URL+"/beacons/"+strings.ToUpper(kitchen.BeaconID.String()), "", "")
	if resp.StatusCode != 200 {
		t.Errorf("upper-case id: %d", resp.StatusCode)
	}

	resp, body = httpxtest.Do(t, "GET", srv.URL+"/beacons/"+gocql.MustRandomUUID().String(), "", "")
	if resp.StatusCode != 404 {
		t.Errorf("unknown beacon: %d", resp.StatusCode)
	}
	if msg := httpxtest.ErrorMessage(t, resp, body); !strings.Contains(msg, "not found") {
		t.Errorf("message %q", msg)
	}
}

func TestMalformedPathIDsAre400(t *testing.T) {
	srv := newServer(t, newFakeStore(kitchen))
	for _, path := range []string{
		"/beacons/not-a-uuid",
		"/beacons/5bf966d980464fc1ae5a80c923ebea5a",
		"/beacons/5bf966d9-8046-4fc1-ae5a-80c923ebea5",
		"/beacons/locations/xyz",
		"/beacons/locations/ce519f95-923c-4532-879e-cd19afa8dda8x",
	} {
		resp, body := httpxtest.Do(t, "GET", srv.URL+path, "", "")
		if resp.StatusCode != 400 {
			t.Errorf("GET %s = %d %s, want 400", path, resp.StatusCode, body)
			continue
		}
		httpxtest.ErrorMessage(t, resp, body)
	}
}

func TestPutBeacon(t *testing.T) {
	fs := newFakeStore()
	srv := newServer(t, fs)
	id := "5bf966d9-8046-4fc1-ae5a-80c923ebea5a"
	body := `{"locationId":"ce519f95-923c-4532-879e-cd19afa8dda8","beaconId":"` + id + `","beaconName":"  Bed Room Beacon "}`
	resp, got := httpxtest.Do(t, "POST", srv.URL+"/beacons", "application/json", body)
	if resp.StatusCode != 201 {
		t.Fatalf("status %d: %s", resp.StatusCode, got)
	}
	if loc := resp.Header.Get("Location"); loc != "/beacons/"+id {
		t.Errorf("Location = %q", loc)
	}
	var b api.Beacon
	if err := json.Unmarshal(got, &b); err != nil {
		t.Fatal(err)
	}
	if b.BeaconID.String() != id || b.LocationID.String() != "ce519f95-923c-4532-879e-cd19afa8dda8" || b.BeaconName != "Bed Room Beacon" {
		t.Errorf("answer %+v", b)
	}
	if stored := fs.byID[b.BeaconID]; stored != b {
		t.Errorf("stored %+v, answered %+v", stored, b)
	}

	// Same request again: an idempotent upsert, and a rename is allowed.
	resp, _ = httpxtest.Do(t, "POST", srv.URL+"/beacons", "application/json; charset=utf-8", strings.Replace(body, "Bed Room", "Bedroom", 1))
	if resp.StatusCode != 201 || fs.byID[b.BeaconID].BeaconName != "Bedroom Beacon" || len(fs.byID) != 1 {
		t.Errorf("repeat: %d, store %+v", resp.StatusCode, fs.byID)
	}
}

func TestPutBeaconGeneratesV4ID(t *testing.T) {
	fs := newFakeStore()
	srv := newServer(t, fs)
	for _, body := range []string{
		`{"locationId":"ce519f95-923c-4532-879e-cd19afa8dda8","beaconName":"Garden Beacon"}`,
		`{"locationId":"ce519f95-923c-4532-879e-cd19afa8dda8","beaconId":null,"beaconName":"Garden Beacon"}`,
	} {
		resp, got := httpxtest.Do(t, "POST", srv.URL+"/beacons", "application/json", body)
		if resp.StatusCode != 201 {
			t.Fatalf("status %d: %s", resp.StatusCode, got)
		}
		var b api.Beacon
		if err := json.Unmarshal(got, &b); err != nil {
			t.Fatal(err)
		}
		if b.BeaconID.Version() != 4 || b.BeaconID.Variant() != gocql.VariantIETF {
			t.Errorf("generated id %s is not a v4 UUID", b.BeaconID)
		}
		if resp.Header.Get("Location") != "/beacons/"+b.BeaconID.String() {
			t.Errorf("Location = %q", resp.Header.Get("Location"))
		}
	}
	if len(fs.byID) != 2 {
		t.Errorf("want two distinct generated ids, store has %d", len(fs.byID))
	}
}

func TestPutBeaconMovesToOtherLocation(t *testing.T) {
	fs := newFakeStore(kitchen)
	srv := newServer(t, fs)
	newLoc := gocql.MustRandomUUID()
	body := fmt.Sprintf(`{"locationId":%q,"beaconId":%q,"beaconName":"Moved"}`, newLoc, kitchen.BeaconID)
	resp, got := httpxtest.Do(t, "POST", srv.URL+"/beacons", "application/json", body)
	if resp.StatusCode != 201 {
		t.Fatalf("status %d: %s", resp.StatusCode, got)
	}
	if b := fs.byID[kitchen.BeaconID]; b.LocationID != newLoc || b.BeaconName != "Moved" {
		t.Errorf("stored %+v", b)
	}
}

func TestPutBeaconRejectsBadInput(t *testing.T) {
	const (
		loc = `"locationId":"ce519f95-923c-4532-879e-cd19afa8dda8"`
		bid = `"beaconId":"5bf966d9-8046-4fc1-ae5a-80c923ebea5a"`
		nm  = `"beaconName":"Bed Room Beacon"`
	)
	tests := []struct {
		name        string
		contentType string
		body        string
		status      int
		msgContains string
	}{
		{"malformed locationId", "application/json", `{"locationId":"nope",` + bid + `,` + nm + `}`, 400, "locationId"},
		{"locationId without hyphens", "application/json", `{"locationId":"ce519f95923c4532879ecd19afa8dda8",` + nm + `}`, 400, "locationId"},
		{"locationId as number", "application/json", `{"locationId":12345678901234567890123456789012,` + nm + `}`, 400, "locationId"},
		{"malformed beaconId", "application/json", `{` + loc + `,"beaconId":"5bf966d9-8046-4fc1-ae5a-80c923ebea5",` + nm + `}`, 400, "beaconId"},
		{"empty beaconId", "application/json", `{` + loc + `,"beaconId":"",` + nm + `}`, 400, "beaconId"},
		{"missing locationId", "application/json", `{` + bid + `,` + nm + `}`, 400, "locationId is required"},
		{"null locationId", "application/json", `{"locationId":null,` + nm + `}`, 400, "locationId is required"},
		{"missing beaconName", "application/json", `{` + loc + `,` + bid + `}`, 400, "beaconName is required"},
		{"empty beaconName", "application/json", `{` + loc + `,"beaconName":""}`, 400, "beaconName"},
		{"blank beaconName", "application/json", `{` + loc + `,"beaconName":"   "}`, 400, "beaconName"},
		{"beaconName too long", "application/json", `{` + loc + `,"beaconName":"` + strings.Repeat("x", maxBeaconName+1) + `"}`, 400, "at most"},
		{"beaconName control chars", "application/json", `{` + loc + `,"beaconName":"a\u0007b"}`, 400, "control"},
		{"beaconName not a string", "application/json", `{` + loc + `,"beaconName":42}`, 400, "beaconName"},
		{"unknown field", "application/json", `{` + loc + `,` + nm + `,"colour":"red"}`, 400, `"colour"`},
		{"trailing data", "application/json", `{` + loc + `,` + nm + `} {}`, 400, "single JSON value"},
		{"not JSON", "application/json", `locationId=x`, 400, "JSON"},
		{"array", "application/json", `[{` + loc + `,` + nm + `}]`, 400, ""},
		{"empty body", "application/json", ``, 400, "empty"},
		{"wrong content type", "text/plain", `{` + loc + `,` + nm + `}`, 415, "application/json"},
		{"no content type", "", `{` + loc + `,` + nm + `}`, 415, "application/json"},
		{"oversized body", "application/json", `{` + loc + `,"beaconName":"` + strings.Repeat("x", maxBeaconBody) + `"}`, 413, "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFakeStore()
			srv := newServer(t, fs)
			resp, body := httpxtest.Do(t, "POST", srv.URL+"/beacons", tt.contentType, tt.body)
			if resp.StatusCode != tt.status {
				t.Errorf("status = %d (%s), want %d", resp.StatusCode, body, tt.status)
			}
			if msg := httpxtest.ErrorMessage(t, resp, body); !strings.Contains(msg, tt.msgContains) {
				t.Errorf("message %q does not contain %q", msg, tt.msgContains)
			}
			if fs.writeCount() != 0 || len(fs.byID) != 0 {
				t.Errorf("bad input wrote to the store: %+v", fs.byID)
			}
		})
	}
}

func TestStoreErrorsMapToStatuses(t *testing.T) {
	post := `{"locationId":"ce519f95-923c-4532-879e-cd19afa8dda8","beaconName":"x"}`
	for _, tt := range storeerrtest.Cases() {
		t.Run(tt.Name, func(t *testing.T) {
			fs := newFakeStore()
			fs.failErr = tt.Err
			srv := newServer(t, fs)
			for _, req := range []struct{ method, path, body string }{
				{"GET", "/beacons/locations/" + kitchenLoc.String(), ""},
				{"GET", "/beacons/locations", ""},
				{"GET", "/beacons/locations?limit=1&page=MA", ""},
				{"GET", "/beacons/" + kitchen.BeaconID.String(), ""},
				{"POST", "/beacons", post},
				{"POST", "/beacons", strings.Replace(post, `"beaconName"`, `"beaconId":"`+kitchen.BeaconID.String()+`","beaconName"`, 1)},
			} {
				resp, body := httpxtest.Do(t, req.method, srv.URL+req.path, "application/json", req.body)
				if resp.StatusCode != tt.Status {
					t.Errorf("%s %s = %d, want %d", req.method, req.path, resp.StatusCode, tt.Status)
				}
				msg := httpxtest.ErrorMessage(t, resp, body)
				if storeerrtest.Leaks(msg) {
					t.Errorf("error leaks internals: %q", msg)
				}
			}
		})
	}
}

func TestUnknownRoutesAndMethods(t *testing.T) {
	srv := newServer(t, newFakeStore())
	resp, body := httpxtest.Do(t, "GET", srv.URL+"/nope", "", "")
	if resp.StatusCode != 404 {
		t.Errorf("unknown path: %d", resp.StatusCode)
	}
	httpxtest.ErrorMessage(t, resp, body)
	resp, body = httpxtest.Do(t, "DELETE", srv.URL+"/beacons/"+kitchen.BeaconID.String(), "", "")
	if resp.StatusCode != 405 {
		t.Errorf("DELETE: %d", resp.StatusCode)
	}
	httpxtest.ErrorMessage(t, resp, body)
	resp, _ = httpxtest.Do(t, "GET", srv.URL+"/beacons", "", "")
	if resp.StatusCode != 405 {
		t.Errorf("GET /beacons: %d", resp.StatusCode)
	}
}

func TestOperationalEndpoints(t *testing.T) {
	var healthy atomic.Bool
	healthy.Store(true)
	check := httpx.Check{Name: "cassandra", Fn: func(context.Context) error {
		if healthy.Load() {
			return nil
		}
		return errors.New("no hosts")
	}}
	srv := newServer(t, newFakeStore(kitchen), check)

	if resp, _ := httpxtest.Do(t, "GET", srv.URL+"/healthz", "", ""); resp.StatusCode != 200 {
		t.Errorf("/healthz = %d", resp.StatusCode)
	}
	if resp, _ := httpxtest.Do(t, "GET", srv.URL+"/readyz", "", ""); resp.StatusCode != 200 {
		t.Errorf("/readyz = %d", resp.StatusCode)
	}
	healthy.Store(false)
	resp, body := httpxtest.Do(t, "GET", srv.URL+"/readyz", "", "")
	if resp.StatusCode != 503 || !strings.Contains(string(body), "cassandra") {
		t.Errorf("/readyz with Cassandra down = %d %s", resp.StatusCode, body)
	}
	// Liveness does not depend on Cassandra.
	if resp, _ := httpxtest.Do(t, "GET", srv.URL+"/healthz", "", ""); resp.StatusCode != 200 {
		t.Errorf("/healthz with Cassandra down = %d", resp.StatusCode)
	}

	httpxtest.Do(t, "GET", srv.URL+"/beacons/"+kitchen.BeaconID.String(), "", "")
	_, metrics := httpxtest.Do(t, "GET", srv.URL+"/metrics", "", "")
	if want := `http_requests_total{method="GET",route="/beacons/{beaconId}",status="200"} 1`; !strings.Contains(string(metrics), want) {
		t.Errorf("/metrics lacks %s", want)
	}

	resp, spec := httpxtest.Do(t, "GET", srv.URL+"/openapi.yaml", "", "")
	if resp.StatusCode != 200 || !strings.HasPrefix(string(spec), "openapi: 3") {
		t.Errorf("/openapi.yaml = %d %.40q", resp.StatusCode, spec)
	}
}

func TestRequestIDEchoed(t *testing.T) {
	srv := newServer(t, newFakeStore())
	req, _ := http.NewRequest("GET", srv.URL+"/beacons/bad", nil)
	req.Header.Set(httpx.RequestIDHeader, "client-id-1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get(httpx.RequestIDHeader); got != "client-id-1" {
		t.Errorf("request id = %q", got)
	}
}
