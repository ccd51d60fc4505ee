package main

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
)

var uuidV5 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestIdsAreStableUUIDs(t *testing.T) {
	if nameUUID("x") != nameUUID("x") || nameUUID("x") == nameUUID("y") {
		t.Fatal("nameUUID is not a function of the name")
	}
	seen := map[string]bool{}
	for _, r := range building() {
		ids := []string{r.locationID}
		for _, b := range r.beacons {
			ids = append(ids, b.id)
		}
		for _, id := range ids {
			if !uuidV5.MatchString(id) || seen[id] {
				t.Errorf("id %q: not a fresh version 5 UUID", id)
			}
			seen[id] = true
		}
	}
}

func TestWalkIsPlausible(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 0))
	b, ps := building(), people(5)
	arrived, left, moved := 0, 0, 0
	for range 2000 {
		before := map[*person]int{}
		for _, p := range ps {
			before[p] = p.at
		}
		p, bc, what := step(rng, b, ps)
		switch {
		case bc == nil:
			left++
			if p.at != -1 || before[p] < 0 {
				t.Fatalf("%s left from %d to %d", p.name, before[p], p.at)
			}
		case before[p] < 0:
			arrived++
			if p.at != 0 || what != "arrives in" {
				t.Fatalf("%s arrived in room %d (%s), want the lobby", p.name, p.at, what)
			}
		case what == "walks to":
			moved++
		}
		if bc != nil && bc.locationID != b[p.at].locationID {
			t.Fatalf("%s seen by %s, which is not in %s", p.name, bc.name, b[p.at].name)
		}
	}
	if arrived == 0 || left == 0 || moved == 0 {
		t.Fatalf("arrived %d, left %d, moved %d: want some of each", arrived, left, moved)
	}
}

func TestRunRegistersAndPostsBounded(t *testing.T) {
	var mu sync.Mutex
	got := map[string][]map[string]string{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var v map[string]string
		if r.Header.Get("Authorization") != "Bearer test-key" {
			http.Error(w, `{"error":"no key"}`, http.StatusUnauthorized)
			return
		}
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&v) != nil {
			http.Error(w, `{"error":"bad"}`, http.StatusBadRequest)
			return
		}
		mu.Lock()
		got[r.URL.Path] = append(got[r.URL.Path], v)
		mu.Unlock()
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()
	var out, errs bytes.Buffer
	env := func(k string) (string, bool) { return map[string]string{apiKeyEnv: "test-key"}[k], k == apiKeyEnv }
	if code := run([]string{"-gateway", srv.URL, "-rate", "100", "-max", "5", "-seed", "7"}, env, &out, &errs); code != 0 {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	if n := len(got["/beacons"]); n != 7 {
		t.Errorf("%d beacons registered, want 7", n)
	}
	if n := len(got["/tracking/sightings"]); n != 5 {
		t.Errorf("%d sightings, want 5 (-max)", n)
	}
	for _, s := range got["/tracking/sightings"] {
		if !uuidV5.MatchString(s["beaconId"]) || !uuidV5.MatchString(s["userId"]) || s["name"] == "" || s["timeLogged"] == "" {
			t.Errorf("sighting %v", s)
		}
	}
	if strings.Contains(out.String()+errs.String(), "test-key") {
		t.Error("the API key was printed")
	}
	if !strings.Contains(out.String(), "5 sightings posted, 0 failed; stopped (the -max count)") {
		t.Errorf("summary: %s", out.String())
	}
}

func TestRunRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-rate", "0"}, {"-duration", "0s"}, {"-max", "0"}, {"-people", "0"}, {"-gateway", "http://10.1.2.3:9000"}} {
		var out, errs bytes.Buffer
		if code := run(args, os.LookupEnv, &out, &errs); code != 2 || errs.Len() == 0 {
			t.Errorf("%v: exit %d, %q", args, code, errs.String())
		}
	}
}
