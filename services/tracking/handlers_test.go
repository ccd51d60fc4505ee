package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gocql/gocql"

	"github.com/find-peers/find-peers/libs/api"
	"github.com/find-peers/find-peers/libs/httpx/httpxtest"
	"github.com/find-peers/find-peers/libs/sse"
	"github.com/find-peers/find-peers/libs/storeerr/storeerrtest"
)

// fakeStore keeps sightings in memory, counts writes and can fail or block.
type fakeStore struct {
	mu        sync.Mutex
	rows      map[string]api.Sighting // by beacon/time/user, like the primary key
	writes    int
	reads     int
	lastHour  time.Time
	lastBatch []gocql.UUID // beacons of the last SightingsOfBeacons call
	rowLimit  int          // when set, SightingsOfBeacons' maxRowsPerRequest
	failErr   error
	gate      chan struct{} // when set, RecordSightings waits for it
	recording chan struct{} // when set, closed as RecordSightings starts
}

func newFakeStore(sightings ...api.Sighting) *fakeStore {
	f := &fakeStore{rows: map[string]api.Sighting{}}
	for _, s := range sightings {
		f.rows[rowKey(s)] = s
	}
	return f
}

func rowKey(s api.Sighting) string {
	return s.BeaconID.String() + "/" + s.TimeLogged.Format(time.RFC3339Nano) + "/" + s.UserID.String()
}

func (f *fakeStore) RecordSightings(ctx context.Context, ss []api.Sighting) error {
	if f.recording != nil {
		close(f.recording)
	}
	if f.gate != nil {
		<-f.gate
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failErr != nil {
		return f.failErr
	}
	f.writes++
	for _, s := range ss {
		f.rows[rowKey(s)] = s
	}
	return nil
}

func (f *fakeStore) SightingsInHour(ctx context.Context, beacon gocql.UUID, hour time.Time) ([]api.Sighting, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	f.lastHour = hour
	if f.failErr != nil {
		return nil, f.failErr
	}
	out := []api.Sighting{} // the store contract: empty, never nil
	for _, s := range f.rows {
		if s.BeaconID == beacon && api.HourBucket(s.TimeLogged).Equal(hour) {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].TimeLogged.After(out[j].TimeLogged) })
	return out, nil
}

// SightingsOfBeacons reads beacon by beacon (each counts as a read); rowLimit, when set, stands for maxRowsPerRequest.
func (f *fakeStore) SightingsOfBeacons(ctx context.Context, beacons []gocql.UUID, hour time.Time) ([][]api.Sighting, error) {
	out := make([][]api.Sighting, len(beacons))
	total := 0
	for i, b := range beacons {
		ss, err := f.SightingsInHour(ctx, b, hour)
		if err != nil {
			return nil, err
		}
		if total += len(ss); f.rowLimit > 0 && total > f.rowLimit {
			return nil, fmt.Errorf("read: %w", errTooManyRows)
		}
		out[i] = ss
	}
	f.mu.Lock()
	f.lastBatch = append([]gocql.UUID(nil), beacons...)
	f.mu.Unlock()
	return out, nil
}

func (f *fakeStore) counts() (writes, rows, reads int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.writes, len(f.rows), f.reads
}

var (
	bedRoom   = gocql.MustRandomUUID()
	kitchen   = gocql.MustRandomUUID()
	avinash   = gocql.MustRandomUUID()
	bhargavi  = gocql.MustRandomUUID()
	seedHour  = time.Unix(1473156000, 0).UTC() // 2016-09-06T10:00:00Z
	fixedNow  = time.Date(2026, 1, 2, 3, 4, 5, 678912345, time.UTC)
	sighting1 = api.Sighting{BeaconID: bedRoom, TimeLogged: seedHour, UserID: avinash, Name: "Avinash Erupaka"}
	sighting2 = api.Sighting{BeaconID: bedRoom, TimeLogged: seedHour.Add(30 * time.Minute), UserID: bhargavi, Name: "Bhargavi Erupaka"}
	nextHour  = api.Sighting{BeaconID: bedRoom, TimeLogged: seedHour.Add(time.Hour), UserID: avinash, Name: "Avinash Erupaka"}
)

type testServer struct {
	*httptest.Server
	store  *fakeStore
	events *sse.Broker
}

func newServer(t *testing.T, fs *fakeStore, stream streamConfig) *testServer {
	t.Helper()
	if stream.Heartbeat == 0 {
		stream.Heartbeat = time.Hour
	}
	events := sse.NewBroker(16)
	h := routes(deps{
		store:  fs,
		events: events,
		stream: stream,
		now:    func() time.Time { return fixedNow },
	}, httpxtest.Ops(), slog.New(slog.DiscardHandler))
	srv := httptest.NewServer(h)
	t.Cleanup(func() { events.Close(); srv.Close() })
	return &testServer{Server: srv, store: fs, events: events}
}

func TestSightingsInHour(t *testing.T) {
	srv := newServer(t, newFakeStore(sighting1, sighting2, nextHour), streamConfig{})
	// 10:16:40 is in the 10:00 hour.
	resp, body := httpxtest.Do(t, "GET", fmt.Sprintf("%s/tracking/beacons/%s/%d", srv.URL, bedRoom, 1473157000), "", "")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if !srv.store.lastHour.Equal(seedHour) {
		t.Errorf("store asked for hour %v, want %v", srv.store.lastHour, seedHour)
	}
	var got []api.Sighting
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != sighting2 || got[1] != sighting1 {
		t.Errorf("got %+v, want newest first [%v %v]", got, sighting2, sighting1)
	}
	for _, name := range []string{`"beaconId"`, `"timeLogged":"2016-09-06T10:30:00Z"`, `"userId"`, `"name"`} {
		if !strings.Contains(string(body), name) {
			t.Errorf("wire form lacks %s: %s", name, body)
		}
	}
	// The last second of the hour is still that hour; the next one is not.
	_, body = httpxtest.Do(t, "GET", fmt.Sprintf("%s/tracking/beacons/%s/%d", srv.URL, bedRoom, 1473159599), "", "")
	if json.Unmarshal(body, &got); len(got) != 2 {
		t.Errorf("10:59:59: got %d sightings", len(got))
	}
	_, body = httpxtest.Do(t, "GET", fmt.Sprintf("%s/tracking/beacons/%s/%d", srv.URL, bedRoom, 1473159600), "", "")
	if json.Unmarshal(body, &got); len(got) != 1 || got[0] != nextHour {
		t.Errorf("11:00:00: got %+v", got)
	}
}

func TestSightingsInHourUnknownBeaconIsEmptyList(t *testing.T) {
	srv := newServer(t, newFakeStore(sighting1), streamConfig{})
	for _, path := range []string{
		fmt.Sprintf("/tracking/beacons/%s/1473156000", gocql.MustRandomUUID()),
		fmt.Sprintf("/tracking/beacons/%s/0", bedRoom),
		fmt.Sprintf("/tracking/beacons/%s/253402300799", bedRoom),
	} {
		resp, body := httpxtest.Do(t, "GET", srv.URL+path, "", "")
		if resp.StatusCode != 200 || strings.TrimSpace(string(body)) != "[]" {
			t.Errorf("GET %s = %d %s, want 200 []", path, resp.StatusCode, body)
		}
	}
}

func TestSightingsInHourBadInput(t *testing.T) {
	srv := newServer(t, newFakeStore(sighting1), streamConfig{})
	b := bedRoom.String()
	for _, path := range []string{
		"/tracking/beacons/not-a-uuid/1473156000",
		"/tracking/beacons/" + strings.ReplaceAll(b, "-", "") + "/1473156000",
		"/tracking/beacons/" + b + "/abc",
		"/tracking/beacons/" + b + "/-1",
		"/tracking/beacons/" + b + "/1473156000.5",
		"/tracking/beacons/" + b + "/1e9",
		"/tracking/beacons/" + b + "/+1473156000",
		"/tracking/beacons/" + b + "/253402300800",         // year 10000
		"/tracking/beacons/" + b + "/99999999999999999999", // overflows int64
		"/tracking/beacons/" + b + "/2016-09-06T10:00:00Z",
	} {
		resp, body := httpxtest.Do(t, "GET", srv.URL+path, "", "")
		if resp.StatusCode != 400 {
			t.Errorf("GET %s = %d %s, want 400", path, resp.StatusCode, body)
			continue
		}
		httpxtest.ErrorMessage(t, resp, body)
	}
	if _, _, reads := srv.store.counts(); reads != 0 {
		t.Errorf("bad input reached the store %d times", reads)
	}
}

func postSightings(t *testing.T, srv *testServer, body string) (*http.Response, []byte) {
	t.Helper()
	return httpxtest.Do(t, "POST", srv.URL+"/tracking/sightings", "application/json", body)
}

func TestRecordOneSighting(t *testing.T) {
	srv := newServer(t, newFakeStore(), streamConfig{})
	body := fmt.Sprintf(`{"beaconId":%q,"timeLogged":"2016-09-06T12:00:00.123456+02:00","userId":%q,"name":" Avinash Erupaka "}`, bedRoom, avinash)
	resp, got := postSightings(t, srv, body)
	if resp.StatusCode != 201 || strings.TrimSpace(string(got)) != `{"count":1}` {
		t.Fatalf("got %d %s", resp.StatusCode, got)
	}
	want := api.Sighting{BeaconID: bedRoom, TimeLogged: time.Date(2016, 9, 6, 10, 0, 0, 123000000, time.UTC), UserID: avinash, Name: "Avinash Erupaka"}
	if s, ok := srv.store.rows[rowKey(want)]; !ok || s != want {
		t.Errorf("stored %+v, want %+v", srv.store.rows, want)
	}
}

func TestRecordBatchAndDefaultTime(t *testing.T) {
	srv := newServer(t, newFakeStore(), streamConfig{})
	body := fmt.Sprintf(`[
		{"beaconId":%q,"timeLogged":"2016-09-06T10:00:00Z","userId":%q,"name":"Avinash Erupaka"},
		{"beaconId":%q,"userId":%q,"name":"Bhargavi Erupaka"},
		{"beaconId":%q,"timeLogged":null,"userId":%q,"name":"Shreya Sulgham"}
	]`, bedRoom, avinash, bedRoom, bhargavi, kitchen, bhargavi)
	resp, got := postSightings(t, srv, body)
	if resp.StatusCode != 201 || strings.TrimSpace(string(got)) != `{"count":3}` {
		t.Fatalf("got %d %s", resp.StatusCode, got)
	}
	now := fixedNow.Truncate(time.Millisecond)
	for _, want := range []api.Sighting{
		sighting1,
		{BeaconID: bedRoom, TimeLogged: now, UserID: bhargavi, Name: "Bhargavi Erupaka"},
		{BeaconID: kitchen, TimeLogged: now, UserID: bhargavi, Name: "Shreya Sulgham"},
	} {
		if s := srv.store.rows[rowKey(want)]; s != want {
			t.Errorf("missing %+v; store has %+v", want, srv.store.rows)
		}
	}
	if writes, _, _ := srv.store.counts(); writes != 1 {
		t.Errorf("%d store calls, want one for the whole batch", writes)
	}
}

func TestRecordIsIdempotent(t *testing.T) {
	srv := newServer(t, newFakeStore(), streamConfig{})
	body := fmt.Sprintf(`{"beaconId":%q,"timeLogged":"2016-09-06T10:00:00Z","userId":%q,"name":"Avinash Erupaka"}`, bedRoom, avinash)
	for range 3 {
		if resp, got := postSightings(t, srv, body); resp.StatusCode != 201 {
			t.Fatalf("got %d %s", resp.StatusCode, got)
		}
	}
	if _, rows, _ := srv.store.counts(); rows != 1 {
		t.Errorf("%d rows after three identical posts", rows)
	}
}

func TestRecordRejectsBadInput(t *testing.T) {
	good := func(mod func(m map[string]any)) string {
		m := map[string]any{"beaconId": bedRoom.String(), "timeLogged": "2016-09-06T10:00:00Z", "userId": avinash.String(), "name": "Avinash Erupaka"}
		mod(m)
		b, _ := json.Marshal(m)
		return string(b)
	}
	same := func(map[string]any) {}
	batchOf := func(n int, bad int, mod func(map[string]any)) string {
		parts := make([]string, n)
		for i := range parts {
			if i == bad {
				parts[i] = good(mod)
			} else {
				parts[i] = good(same)
			}
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	tests := []struct {
		name        string
		contentType string
		body        string
		status      int
		msgContains string
	}{
		{"malformed beaconId", "application/json", good(func(m map[string]any) { m["beaconId"] = "beacon-1" }), 400, "beaconId"},
		{"beaconId without hyphens", "application/json", good(func(m map[string]any) { m["beaconId"] = strings.ReplaceAll(bedRoom.String(), "-", "") }), 400, "beaconId"},
		{"malformed userId", "application/json", good(func(m map[string]any) { m["userId"] = "42" }), 400, "userId"},
		{"userId as number", "application/json", good(func(m map[string]any) { m["userId"] = 42 }), 400, "userId"},
		{"missing beaconId", "application/json", good(func(m map[string]any) { delete(m, "beaconId") }), 400, "beaconId is required"},
		{"missing userId", "application/json", good(func(m map[string]any) { delete(m, "userId") }), 400, "userId is required"},
		{"missing name", "application/json", good(func(m map[string]any) { delete(m, "name") }), 400, "name is required"},
		{"null name", "application/json", good(func(m map[string]any) { m["name"] = nil }), 400, "name is required"},
		{"empty name", "application/json", good(func(m map[string]any) { m["name"] = "" }), 400, "name"},
		{"blank name", "application/json", good(func(m map[string]any) { m["name"] = " \t " }), 400, "name"},
		{"name too long", "application/json", good(func(m map[string]any) { m["name"] = strings.Repeat("n", maxUserName+1) }), 400, "at most"},
		{"name with control chars", "application/json", good(func(m map[string]any) { m["name"] = "a\nb" }), 400, "control"},
		{"time not RFC 3339", "application/json", good(func(m map[string]any) { m["timeLogged"] = "2016-09-06 10:00" }), 400, "timeLogged"},
		{"time as epoch number", "application/json", good(func(m map[string]any) { m["timeLogged"] = 1473156000 }), 400, "timeLogged"},
		{"time before 1970", "application/json", good(func(m map[string]any) { m["timeLogged"] = "1969-12-31T23:59:59Z" }), 400, "timeLogged"},
		{"time after 9999", "application/json", good(func(m map[string]any) { m["timeLogged"] = "10000-01-01T00:00:00Z" }), 400, "timeLogged"},
		{"unknown field", "application/json", good(func(m map[string]any) { m["location"] = "x" }), 400, `"location"`},
		{"bad element in batch", "application/json", batchOf(5, 3, func(m map[string]any) { m["userId"] = "nope" }), 400, "sightings[3].userId"},
		{"unknown field in batch", "application/json", batchOf(5, 4, func(m map[string]any) { m["extra"] = 1 }), 400, `"extra"`},
		{"batch too large", "application/json", batchOf(maxBatch+1, -1, same), 413, fmt.Sprint(maxBatch)},
		{"empty batch", "application/json", `[]`, 400, "no sightings"},
		{"batch of non-objects", "application/json", `[1,2]`, 400, ""},
		{"nested array", "application/json", `[[]]`, 400, ""},
		{"scalar", "application/json", `"sighting"`, 400, "object or an array"},
		{"null", "application/json", `null`, 400, "object or an array"},
		{"trailing data", "application/json", good(same) + `{}`, 400, "single JSON value"},
		{"malformed JSON", "application/json", `{"beaconId":`, 400, "JSON"},
		{"empty body", "application/json", ``, 400, "empty"},
		{"oversized body", "application/json", `[` + strings.Repeat(" ", maxSightingsBody) + `]`, 413, "larger than"},
		{"wrong content type", "text/plain", good(same), 415, "application/json"},
		{"no content type", "", good(same), 415, "application/json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, newFakeStore(), streamConfig{})
			sub := srv.events.Subscribe(nil)
			resp, body := httpxtest.Do(t, "POST", srv.URL+"/tracking/sightings", tt.contentType, tt.body)
			if resp.StatusCode != tt.status {
				t.Errorf("status = %d (%s), want %d", resp.StatusCode, body, tt.status)
			}
			if msg := httpxtest.ErrorMessage(t, resp, body); !strings.Contains(msg, tt.msgContains) {
				t.Errorf("message %q does not contain %q", msg, tt.msgContains)
			}
			if writes, rows, _ := srv.store.counts(); writes != 0 || rows != 0 {
				t.Errorf("bad input wrote %d times, %d rows", writes, rows)
			}
			select {
			case f := <-sub.C:
				t.Errorf("bad input published %q", f)
			default:
			}
		})
	}
}

func TestStoreErrorsMapToStatuses(t *testing.T) {
	post := fmt.Sprintf(`{"beaconId":%q,"userId":%q,"name":"x"}`, bedRoom, avinash)
	for _, tt := range storeerrtest.Cases() {
		t.Run(tt.Name, func(t *testing.T) {
			fs := newFakeStore()
			fs.failErr = tt.Err
			srv := newServer(t, fs, streamConfig{})
			sub := srv.events.Subscribe(nil)
			for _, req := range []struct{ method, path, body string }{
				{"GET", fmt.Sprintf("/tracking/beacons/%s/1473156000", bedRoom), ""},
				{"GET", fmt.Sprintf("/tracking/sightings?epochSeconds=1473156000&beaconId=%s", bedRoom), ""},
				{"POST", "/tracking/sightings", post},
			} {
				resp, body := httpxtest.Do(t, req.method, srv.URL+req.path, "application/json", req.body)
				if resp.StatusCode != tt.Status {
					t.Errorf("%s %s = %d, want %d", req.method, req.path, resp.StatusCode, tt.Status)
				}
				if msg := httpxtest.ErrorMessage(t, resp, body); storeerrtest.Leaks(msg) {
					t.Errorf("error leaks internals: %q", msg)
				}
			}
			select {
			case f := <-sub.C:
				t.Errorf("failed write was published: %q", f)
			default:
			}
		})
	}
}

// openStream subscribes to the event stream and returns a reader of it.
func openStream(t *testing.T, srv *testServer, query string) (*http.Response, *sse.Reader) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/tracking/events"+query, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("stream status %d: %s", resp.StatusCode, b)
	}
	return resp, sse.NewReader(bufio.NewReader(resp.Body))
}

func nextEvent(t *testing.T, r *sse.Reader) sse.Event {
	t.Helper()
	type result struct {
		ev  sse.Event
		err error
	}
	c := make(chan result, 1)
	go func() { ev, err := r.Next(); c <- result{ev, err} }()
	select {
	case res := <-c:
		if res.err != nil {
			t.Fatalf("stream: %v", res.err)
		}
		return res.ev
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5s")
		return sse.Event{}
	}
}

func TestEventsStreamNewSightings(t *testing.T) {
	srv := newServer(t, newFakeStore(), streamConfig{})
	resp, all := openStream(t, srv, "")
	for k, want := range map[string]string{"Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("%s = %q", k, got)
		}
	}
	_, onlyKitchen := openStream(t, srv, "?beaconId="+kitchen.String())

	body := fmt.Sprintf(`[{"beaconId":%q,"timeLogged":"2016-09-06T10:00:00Z","userId":%q,"name":"Avinash Erupaka"},
		{"beaconId":%q,"timeLogged":"2016-09-06T10:05:00Z","userId":%q,"name":"Shreya Sulgham"}]`, bedRoom, avinash, kitchen, bhargavi)
	if resp, got := postSightings(t, srv, body); resp.StatusCode != 201 {
		t.Fatalf("post: %d %s", resp.StatusCode, got)
	}
	var got []api.Sighting
	for range 2 {
		ev := nextEvent(t, all)
		if ev.Event != sightingEvent {
			t.Errorf("event name %q", ev.Event)
		}
		var s api.Sighting
		if err := json.Unmarshal([]byte(ev.Data), &s); err != nil {
			t.Fatalf("event data %q: %v", ev.Data, err)
		}
		got = append(got, s)
	}
	if got[0] != sighting1 || got[1].BeaconID != kitchen || got[1].Name != "Shreya Sulgham" {
		t.Errorf("events %+v", got)
	}
	ev := nextEvent(t, onlyKitchen)
	var s api.Sighting
	if json.Unmarshal([]byte(ev.Data), &s); s.BeaconID != kitchen {
		t.Errorf("filtered stream got %+v", s)
	}
}

func TestEventsPublishedOnlyAfterWriteAcknowledged(t *testing.T) {
	fs := newFakeStore()
	fs.gate = make(chan struct{})
	fs.recording = make(chan struct{})
	srv := newServer(t, fs, streamConfig{})
	sub := srv.events.Subscribe(nil)
	defer srv.events.Unsubscribe(sub)

	done := make(chan int, 1)
	go func() {
		resp, _ := postSightings(t, srv, fmt.Sprintf(`{"beaconId":%q,"userId":%q,"name":"x"}`, bedRoom, avinash))
		done <- resp.StatusCode
	}()
	<-fs.recording
	select {
	case f := <-sub.C:
		t.Fatalf("published before the store acknowledged: %q", f)
	case <-time.After(50 * time.Millisecond):
	}
	close(fs.gate)
	select {
	case <-sub.C:
	case <-time.After(5 * time.Second):
		t.Fatal("not published after the write")
	}
	if code := <-done; code != 201 {
		t.Errorf("status %d", code)
	}
}

func TestEventsDuplicatesPublishedOnce(t *testing.T) {
	srv := newServer(t, newFakeStore(), streamConfig{})
	sub := srv.events.Subscribe(nil)
	defer srv.events.Unsubscribe(sub)
	// The seed's two kitchen rows: same beacon, user and time; the later wins.
	body := fmt.Sprintf(`[{"beaconId":%q,"timeLogged":"2016-09-06T10:00:00Z","userId":%q,"name":"Shreya Sulgham"},
		{"beaconId":%q,"timeLogged":"2016-09-06T10:00:00Z","userId":%q,"name":"Shrihan Sulgham"}]`, kitchen, bhargavi, kitchen, bhargavi)
	if resp, got := postSightings(t, srv, body); resp.StatusCode != 201 {
		t.Fatalf("post: %d %s", resp.StatusCode, got)
	}
	f := <-sub.C
	if !strings.Contains(string(f), "Shrihan Sulgham") {
		t.Errorf("published %q, want the later row", f)
	}
	select {
	case f := <-sub.C:
		t.Errorf("duplicate published: %q", f)
	default:
	}
}

func TestEventsBadFilter(t *testing.T) {
	srv := newServer(t, newFakeStore(), streamConfig{})
	many := make([]string, maxStreamBeacons+1)
	for i := range many {
		many[i] = gocql.MustRandomUUID().String()
	}
	for _, q := range []string{"?beaconId=nope", "?beaconId=" + bedRoom.String() + ",nope", "?beaconId=", "?beaconId=" + strings.Join(many, ",")} {
		resp, body := httpxtest.Do(t, "GET", srv.URL+"/tracking/events"+q, "", "")
		if resp.StatusCode != 400 {
			t.Errorf("%.60s: %d, want 400", q, resp.StatusCode)
			continue
		}
		httpxtest.ErrorMessage(t, resp, body)
	}
	// Repeated and comma-separated ids both work.
	_, r := openStream(t, srv, "?beaconId="+bedRoom.String()+"&beaconId="+kitchen.String()+","+gocql.MustRandomUUID().String())
	postSightings(t, srv, fmt.Sprintf(`{"beaconId":%q,"userId":%q,"name":"x"}`, kitchen, avinash))
	if ev := nextEvent(t, r); !strings.Contains(ev.Data, kitchen.String()) {
		t.Errorf("event %+v", ev)
	}
}

func TestEventsMaxStreams(t *testing.T) {
	srv := newServer(t, newFakeStore(), streamConfig{MaxStreams: 1})
	openStream(t, srv, "")
	deadline := time.Now().Add(5 * time.Second)
	for srv.events.Stats().Subscribers < 1 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	resp, body := httpxtest.Do(t, "GET", srv.URL+"/tracking/events", "", "")
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
		t.Errorf("second stream: %d %s", resp.StatusCode, body)
	}
}

func TestEventsHeartbeat(t *testing.T) {
	srv := newServer(t, newFakeStore(), streamConfig{StreamConfig: sse.StreamConfig{Heartbeat: 20 * time.Millisecond}})
	resp, _ := openStream(t, srv, "")
	br := bufio.NewReader(resp.Body)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if line == ": heartbeat\n" {
			return
		}
	}
}

func TestOperationalEndpoints(t *testing.T) {
	srv := newServer(t, newFakeStore(), streamConfig{})
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/nope": 404} {
		if resp, _ := httpxtest.Do(t, "GET", srv.URL+path, "", ""); resp.StatusCode != want {
			t.Errorf("%s = %d, want %d", path, resp.StatusCode, want)
		}
	}
	if resp, body := httpxtest.Do(t, "DELETE", srv.URL+"/tracking/sightings", "", ""); resp.StatusCode != 405 {
		t.Errorf("DELETE = %d", resp.StatusCode)
	} else {
		httpxtest.ErrorMessage(t, resp, body)
	}
	httpxtest.Do(t, "GET", fmt.Sprintf("%s/tracking/beacons/%s/1", srv.URL, bedRoom), "", "")
	_, metrics := httpxtest.Do(t, "GET", srv.URL+"/metrics", "", "")
	for _, want := range []string{
		`http_requests_total{method="GET",route="/tracking/beacons/{beaconId}/{epochSeconds}",status="200"} 1`,
		"tracking_event_subscribers 0",
		"tracking_events_published_total",
	} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	resp, spec := httpxtest.Do(t, "GET", srv.URL+"/openapi.yaml", "", "")
	if resp.StatusCode != 200 || !strings.HasPrefix(string(spec), "openapi: 3") {
		t.Errorf("/openapi.yaml = %d", resp.StatusCode)
	}
}

// TestEventsOutliveServerWriteTimeout runs a stream through the whole
// middleware chain on a server whose WriteTimeout is far shorter than the
// stream: the stream must extend its own deadline through every wrapper.
func TestEventsOutliveServerWriteTimeout(t *testing.T) {
	events := sse.NewBroker(16)
	h := routes(deps{
		store:  newFakeStore(),
		events: events,
		stream: streamConfig{StreamConfig: sse.StreamConfig{Heartbeat: 20 * time.Millisecond, WriteTimeout: time.Second}},
	}, httpxtest.Ops(), slog.New(slog.DiscardHandler))
	srv := httptest.NewUnstartedServer(h)
	srv.Config.WriteTimeout = 100 * time.Millisecond
	srv.Start()
	// Streams end when the broker closes; httptest's Close waits for them.
	t.Cleanup(func() { events.Close(); srv.Close() })
	ts := &testServer{Server: srv, events: events}

	_, r := openStream(t, ts, "")
	time.Sleep(350 * time.Millisecond) // several server write timeouts
	if resp, body := postSightings(t, ts, fmt.Sprintf(`{"beaconId":%q,"userId":%q,"name":"late"}`, bedRoom, avinash)); resp.StatusCode != 201 {
		t.Fatalf("post: %d %s", resp.StatusCode, body)
	}
	if ev := nextEvent(t, r); !strings.Contains(ev.Data, `"late"`) {
		t.Errorf("event %+v", ev)
	}
}

// hangingStore answers only when its context ends, as a store whose
// Cassandra coordinator waits on a lost replica does; it reports the
// context's error the way gocql does.
type hangingStore struct{}

func (hangingStore) RecordSightings(ctx context.Context, _ []api.Sighting) error {
	<-ctx.Done()
	return fmt.Errorf("write sightings: %w", ctx.Err())
}

func (hangingStore) SightingsInHour(ctx context.Context, _ gocql.UUID, _ time.Time) ([]api.Sighting, error) {
	<-ctx.Done()
	return nil, fmt.Errorf("read sightings: %w", ctx.Err())
}

func (hangingStore) SightingsOfBeacons(ctx context.Context, _ []gocql.UUID, _ time.Time) ([][]api.Sighting, error) {
	<-ctx.Done()
	return nil, fmt.Errorf("read sightings: %w", ctx.Err())
}

// TestRequestTimeout: with a store that never answers, reads and writes get
// a JSON 504 once the request timeout passes, while an event stream, exempt,
// outlives it and still delivers.
func TestRequestTimeout(t *testing.T) {
	const timeout = 150 * time.Millisecond
	events := sse.NewBroker(16)
	srv := httptest.NewServer(routes(deps{
		store:          hangingStore{},
		events:         events,
		stream:         streamConfig{StreamConfig: sse.StreamConfig{Heartbeat: time.Hour}},
		requestTimeout: timeout,
	}, httpxtest.Ops(), slog.New(slog.DiscardHandler)))
	t.Cleanup(func() { events.Close(); srv.Close() })

	for _, req := range []struct{ method, path, body string }{
		{"GET", fmt.Sprintf("/tracking/beacons/%s/%d", bedRoom, seedHour.Unix()), ""},
		{"POST", "/tracking/sightings", fmt.Sprintf(`{"beaconId":%q,"userId":%q,"name":"Avinash Erupaka"}`, bedRoom, avinash)},
		{"GET", fmt.Sprintf("/tracking/sightings?epochSeconds=%d&beaconId=%s", seedHour.Unix(), bedRoom), ""},
	} {
		began := time.Now()
		resp, body := httpxtest.Do(t, req.method, srv.URL+req.path, "application/json", req.body)
		took := time.Since(began)
		if resp.StatusCode != http.StatusGatewayTimeout {
			t.Errorf("%s %s = %d %s, want 504", req.method, req.path, resp.StatusCode, body)
			continue
		}
		if msg := httpxtest.ErrorMessage(t, resp, body); msg != "database timed out" {
			t.Errorf("%s %s: message %q", req.method, req.path, msg)
		}
		if took < timeout || took > timeout+2*time.Second {
			t.Errorf("%s %s answered after %s, want just over %s", req.method, req.path, took, timeout)
		}
	}

	_, stream := openStream(t, &testServer{Server: srv, events: events}, "")
	time.Sleep(3 * timeout)
	if _, err := events.Publish(bedRoom.String(), sse.Event{Event: sightingEvent, Data: `{"late":true}`}); err != nil {
		t.Fatal(err)
	}
	if ev := nextEvent(t, stream); ev.Data != `{"late":true}` {
		t.Errorf("stream after the request timeout got %+v", ev)
	}
}
