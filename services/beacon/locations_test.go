package main

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gocql/gocql"

	"github.com/find-peers/find-peers/libs/api"
	"github.com/find-peers/find-peers/libs/cassandra/cassandratest"
	"github.com/find-peers/find-peers/libs/httpx/httpxtest"
)

// getLocations asks srv for one page and decodes it, failing unless 200.
func getLocations(t *testing.T, srvURL, query string) (locationsPage, string) {
	t.Helper()
	resp, body := httpxtest.Do(t, "GET", srvURL+"/beacons/locations"+query, "", "")
	if resp.StatusCode != 200 {
		t.Fatalf("GET /beacons/locations%s = %d %s", query, resp.StatusCode, body)
	}
	var p locationsPage
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	if p.Locations == nil {
		t.Fatalf("locations is null: %s", body)
	}
	return p, string(body)
}

func TestLocationsQueryErrorsNameTheParameter(t *testing.T) {
	srv := newServer(t, newFakeStore(kitchen, pantry))
	for query, want := range map[string]string{
		"?limit=0":         "limit",
		"?limit=101":       "limit",
		"?limit=-1":        "limit",
		"?limit=%2B5":      "limit",
		"?limit=5.0":       "limit",
		"?limit=abc":       "limit",
		"?limit=":          "limit",
		"?limit=%205":      "limit",
		"?limit=0050":      "limit",
		"?limit=1&limit=2": "limit",
		"?page=":           "page",
		"?page=!!":         "page",
		"?page=a":          "page", // one base64 character cannot be a byte
		"?page=MA==":       "page", // padded
		"?page=MB":         "page", // non-zero trailing bits: not the canonical spelling
		"?page=" + strings.Repeat("A", maxPageToken+1): "page",
		"?page=MA&page=MA": "page",
		"?page=OTk5":       "page", // decodes fine, but the store refuses it
		"?limit=%zz":       "query string",
		"?limit=5;page=MA": "query string",
	} {
		resp, body := httpxtest.Do(t, "GET", srv.URL+"/beacons/locations"+query, "", "")
		if resp.StatusCode != 400 {
			t.Errorf("%s = %d %s, want 400", query, resp.StatusCode, body)
			continue
		}
		if msg := httpxtest.ErrorMessage(t, resp, body); !strings.Contains(msg, want) || len(msg) > 300 {
			t.Errorf("%s: message %q does not name %s (or is long)", query, msg, want)
		}
	}
}

func TestLocationsDefaultsAndIgnoresUnknownParameters(t *testing.T) {
	fs := newFakeStore(kitchen, pantry)
	srv := newServer(t, fs)
	p, body := getLocations(t, srv.URL, "?colour=red")
	if fs.lastLimit != defaultLocationsLimit {
		t.Errorf("limit %d, want the default %d", fs.lastLimit, defaultLocationsLimit)
	}
	if len(p.Locations) != 1 || p.Next != "" || strings.Contains(body, `"next"`) {
		t.Fatalf("answer %s", body)
	}
	// Sorted by name, and the wire names are the contract's.
	want := fmt.Sprintf(`{"locations":[{"locationId":%q,"beacons":[{"beaconId":%q,"beaconName":"Kitchen Beacon"},{"beaconId":%q,"beaconName":"Pantry Beacon"}]}]}`,
		kitchenLoc, kitchen.BeaconID, pantry.BeaconID)
	if strings.TrimSpace(body) != want {
		t.Errorf("answer\n%s\nwant\n%s", body, want)
	}
	getLocations(t, srv.URL, "?limit=100")
	if fs.lastLimit != 100 {
		t.Errorf("limit %d, want 100", fs.lastLimit)
	}
}

// The tests below run on a real Cassandra: paging states are Cassandra's.

func TestLocationsEmpty(t *testing.T) {
	st, _, _ := newTestStore(t)
	srv := newServer(t, st)
	_, body := getLocations(t, srv.URL, "")
	if strings.TrimSpace(body) != `{"locations":[]}` {
		t.Errorf("empty table: %s", body)
	}
}

func TestLocationsPagesEveryLocationOnce(t *testing.T) {
	st, _, _ := newTestStore(t)
	ctx := cassandratest.Context(t, 60*time.Second)
	// Five locations with 1, 2, 3, 1, 2 beacons; names given out of order,
	// and two beacons of one location share a name (then the id decides).
	want := map[gocql.UUID][]api.Beacon{}
	for i := 0; i < 5; i++ {
		loc := gocql.TimeUUID()
		for j := 0; j < 1+i%3; j++ {
			name := fmt.Sprintf("Beacon %d-%d", i, 2-j)
			if i == 2 && j == 2 {
				name = fmt.Sprintf("Beacon %d-%d", i, 2)
			}
			b := api.Beacon{LocationID: loc, BeaconID: gocql.TimeUUID(), BeaconName: name}
			if err := st.PutBeacon(ctx, b); err != nil {
				t.Fatal(err)
			}
			want[loc] = append(want[loc], b)
		}
	}
	// A location whose only beacon moved away is not listed.
	gone := api.Beacon{LocationID: gocql.TimeUUID(), BeaconID: gocql.TimeUUID(), BeaconName: "Mover"}
	if err := st.PutBeacon(ctx, gone); err != nil {
		t.Fatal(err)
	}
	moved := gone
	moved.LocationID = gocql.TimeUUID()
	if err := st.PutBeacon(ctx, moved); err != nil {
		t.Fatal(err)
	}
	want[moved.LocationID] = []api.Beacon{moved}

	srv := newServer(t, st)
	got := map[gocql.UUID][]beaconLabel{}
	query, pages := "?limit=2", 0
	for {
		p, body := getLocations(t, srv.URL, query)
		pages++
		if len(p.Locations) > 2 || pages > 10 {
			t.Fatalf("page %d: %s", pages, body)
		}
		for _, l := range p.Locations {
			if _, dup := got[l.LocationID]; dup {
				t.Errorf("location %s listed twice", l.LocationID)
			}
			got[l.LocationID] = l.Beacons
		}
		if p.Next == "" {
			if strings.Contains(body, `"next"`) {
				t.Errorf("last page carries next: %s", body)
			}
			break
		}
		query = "?limit=2&page=" + url.QueryEscape(p.Next)
	}
	if pages < 3 {
		t.Errorf("6 locations in %d pages of 2", pages)
	}
	if _, listed := got[gone.LocationID]; listed {
		t.Errorf("location %s without beacons is listed", gone.LocationID)
	}
	if len(got) != len(want) {
		t.Fatalf("%d locations listed, want %d: %+v", len(got), len(want), got)
	}
	for loc, bs := range want {
		labels := got[loc]
		if len(labels) != len(bs) {
			t.Errorf("location %s: %+v, want %+v", loc, labels, bs)
			continue
		}
		for i, l := range labels {
			if i > 0 {
				prev := labels[i-1]
				if prev.BeaconName > l.BeaconName || prev.BeaconName == l.BeaconName && prev.BeaconID.String() > l.BeaconID.String() {
					t.Errorf("location %s: beacons not sorted by name then id: %+v", loc, labels)
				}
			}
			found := false
			for _, b := range bs {
				found = found || b.BeaconID == l.BeaconID && b.BeaconName == l.BeaconName
			}
			if !found {
				t.Errorf("location %s: unexpected beacon %+v", loc, l)
			}
		}
	}
}

// tamper returns variants of a real paging state that Cassandra must refuse:
// garbage that decodes as base64, a truncated and an extended state, and a
// well-formed state around a partition key of the wrong size (which fails on
// the replica rather than at the protocol layer) or of none.
func tamper(state []byte) map[string][]byte {
	h := func(s string) []byte { b, _ := hex.DecodeString(s); return b }
	return map[string][]byte{
		"garbage":     []byte("garbage garbage garbage"),
		"one byte":    {0},
		"truncated":   state[:len(state)-1],
		"extended":    slices.Concat(state, []byte{0}),
		"3-byte key":  slices.Concat(h("03010203"), state[17:]),
		"empty key":   slices.Concat(h("00"), state[17:]),
		"huge length": h("ffffffff"),
	}
}

func TestLocationsTamperedPageIs400(t *testing.T) {
	st, _, _ := newTestStore(t)
	ctx := cassandratest.Context(t, 60*time.Second)
	for i := 0; i < 3; i++ {
		if err := st.PutBeacon(ctx, api.Beacon{LocationID: gocql.TimeUUID(), BeaconID: gocql.TimeUUID(), BeaconName: "b"}); err != nil {
			t.Fatal(err)
		}
	}
	_, state, err := st.Locations(ctx, 1, nil)
	if err != nil || len(state) < 18 || state[0] != 16 {
		t.Fatalf("first page: state %x, %v (want a 16-byte key first)", state, err)
	}
	srv := newServer(t, st)
	for name, bad := range tamper(state) {
		// The store says errBadPage ...
		if _, _, err := st.Locations(ctx, 1, bad); !errors.Is(err, errBadPage) {
			t.Errorf("%s %x: store error %v, want errBadPage", name, bad, err)
		}
		// ... and the API a JSON 400 naming page.
		query := "?limit=1&page=" + base64.RawURLEncoding.EncodeToString(bad)
		resp, body := httpxtest.Do(t, "GET", srv.URL+"/beacons/locations"+query, "", "")
		if resp.StatusCode != 400 {
			t.Errorf("%s: %d %s, want 400", name, resp.StatusCode, body)
			continue
		}
		if msg := httpxtest.ErrorMessage(t, resp, body); !strings.Contains(msg, "page") {
			t.Errorf("%s: message %q does not name page", name, msg)
		}
	}
	// The real state still works after all that.
	if ids, _, err := st.Locations(ctx, 1, state); err != nil || len(ids) != 1 {
		t.Errorf("second page: %v, %v", ids, err)
	}
}
