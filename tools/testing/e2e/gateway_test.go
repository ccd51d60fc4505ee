package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/find-peers/find-peers/libs/api"
)

// The seed data (services/beacon and services/tracking seed.go; docs/ARCHITECTURE.md).
const (
	bedRoomLocation = "ce519f95-923c-4532-879e-cd19afa8dda8"
	kitchenLocation = "68dce417-460a-4509-acdf-c5401afd652f"
	bedRoomBeacon   = "5bf966d9-8046-4fc1-ae5a-80c923ebea5a"
	seedHour        = "1473156000"
)

// TestSystemThroughGateway starts the system once and checks the user-visible
// behaviour through the gateway.
func TestSystemThroughGateway(t *testing.T) {
	s := startStack(t)
	gw := s.GatewayURL()

	t.Run("BedRoomAtSeedHour", func(t *testing.T) {
		var users []api.UserAtLocation
		getJSON(t, gw+"/aggregator/locations/"+bedRoomLocation+"/"+seedHour, http.StatusOK, &users)
		var names []string
		for _, u := range users {
			names = append(names, u.Name)
			if u.BeaconName != "Bed Room Beacon" {
				t.Errorf("%s: beaconName %q, want Bed Room Beacon", u.Name, u.BeaconName)
			}
			if !u.TimeLogged.Equal(time.Unix(1473156000, 0)) {
				t.Errorf("%s: timeLogged %s, want 2016-09-06T10:00:00Z", u.Name, u.TimeLogged)
			}
		}
		sort.Strings(names)
		if got, want := strings.Join(names, ","), "Avinash Erupaka,Bhargavi Erupaka,Shobha Erupaka"; got != want {
			t.Fatalf("users = %s, want %s", got, want)
		}
	})

	t.Run("BedRoomOneHourLater", func(t *testing.T) {
		var users []api.UserAtLocation
		getJSON(t, gw+"/aggregator/locations/"+bedRoomLocation+"/1473159600", http.StatusOK, &users)
		if len(users) != 0 {
			t.Fatalf("one hour later: %d users, want none: %+v", len(users), users)
		}
	})

	t.Run("KitchenDuplicateCollapses", func(t *testing.T) {
		// Two kitchen rows share a user id and a time: the later one wins.
		var users []api.UserAtLocation
		getJSON(t, gw+"/aggregator/locations/"+kitchenLocation+"/"+seedHour, http.StatusOK, &users)
		var names []string
		for _, u := range users {
			names = append(names, u.Name)
		}
		sort.Strings(names)
		if got, want := strings.Join(names, ","), "Anil Sulgham,Archana Sulgham,Shrihan Sulgham"; got != want {
			t.Fatalf("kitchen users = %s, want %s", got, want)
		}
	})

	t.Run("WriteThenRead", func(t *testing.T) {
		at := time.Date(2026, 11, 26, 12, 34, 56, 0, time.UTC)
		body := `{"beaconId":"` + bedRoomBeacon + `","userId":"3f1b7a4e-5c2d-4e8f-9a0b-1c2d3e4f5a6b","name":"E2E Writer","timeLogged":"` + at.Format(time.RFC3339) + `"}`
		post(t, gw+"/tracking/sightings", body, http.StatusAccepted, http.StatusCreated)
		var users []api.UserAtLocation
		getJSON(t, gw+"/aggregator/locations/"+bedRoomLocation+"/"+itoa(at.Unix()), http.StatusOK, &users)
		if len(users) != 1 || users[0].Name != "E2E Writer" || !users[0].TimeLogged.Equal(at) {
			t.Fatalf("after the write: %+v, want one E2E Writer at %s", users, at)
		}
	})

	t.Run("BadInputIsJSON400AndWritesNothing", func(t *testing.T) {
		for _, c := range []struct{ method, path, body string }{
			{"GET", "/aggregator/locations/not-a-uuid/" + seedHour, ""},
			{"GET", "/aggregator/locations/" + bedRoomLocation + "/soon", ""},
			{"GET", "/tracking/beacons/" + bedRoomBeacon + "/-5", ""},
			{"POST", "/tracking/sightings", `{"beaconId":"` + bedRoomBeacon + `","userId":"nope","name":"X","timeLogged":"2016-09-06T10:30:00Z"}`},
			{"POST", "/tracking/sightings", `{"beaconId":"` + bedRoomBeacon + `","userId":"3f1b7a4e-5c2d-4e8f-9a0b-1c2d3e4f5a6b","name":"X","timeLogged":"2016-09-06T10:30:00Z","admin":true}`},
			{"POST", "/beacons", `{"locationId":"` + bedRoomLocation + `","beaconName":""}`},
		} {
			status, body := do(t, c.method, gw+c.path, c.body)
			var e api.Error
			if status != http.StatusBadRequest || json.Unmarshal(body, &e) != nil || e.Error == "" {
				t.Errorf("%s %s: %d %s, want 400 with a JSON error", c.method, c.path, status, body)
			}
		}
		var users []api.UserAtLocation
		getJSON(t, gw+"/aggregator/locations/"+bedRoomLocation+"/"+seedHour, http.StatusOK, &users)
		if len(users) != 3 {
			t.Errorf("after rejected writes the seed hour has %d users, want still 3", len(users))
		}
	})

	t.Run("LiveStreamDeliversNewSighting", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, gw+"/aggregator/locations/"+bedRoomLocation+"/live", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
			t.Fatalf("live: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		events := make(chan string, 16)
		go func() {
			sc := bufio.NewScanner(resp.Body)
			for sc.Scan() {
				if data, ok := strings.CutPrefix(sc.Text(), "data:"); ok {
					events <- strings.TrimSpace(data)
				}
			}
			close(events)
		}()
		// The subscription is in place once the stream has answered; give the
		// aggregator's upstream subscription a moment to be established too.
		time.Sleep(300 * time.Millisecond)
		posted := time.Now()
		post(t, gw+"/tracking/sightings", `{"beaconId":"`+bedRoomBeacon+`","userId":"7d444840-9dc0-11d1-b245-5ffdce74fad2","name":"Live Visitor"}`, http.StatusAccepted, http.StatusCreated)
		for {
			select {
			case data, ok := <-events:
				if !ok {
					t.Fatal("live stream ended before the sighting arrived")
				}
				var u api.UserAtLocation
				if err := json.Unmarshal([]byte(data), &u); err != nil {
					t.Fatalf("live event %q: %v", data, err)
				}
				if u.Name != "Live Visitor" {
					continue
				}
				if u.BeaconName != "Bed Room Beacon" {
					t.Errorf("live beaconName %q", u.BeaconName)
				}
				if d := time.Since(posted); d > time.Second {
					t.Errorf("live sighting arrived after %s, want within 1s", d)
				}
				t.Logf("live sighting arrived %s after the POST was acknowledged", time.Since(posted).Round(time.Millisecond))
				return
			case <-ctx.Done():
				t.Fatal("no live event within 10 s")
			}
		}
	})

	t.Run("RequestIDCrossesTheGateway", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, gw+"/beacons/"+bedRoomBeacon, nil)
		req.Header.Set("X-Request-Id", "e2e-trace-0001")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Request-Id") != "e2e-trace-0001" {
			t.Fatalf("status %d, X-Request-Id %q; want 200 and the id sent", resp.StatusCode, resp.Header.Get("X-Request-Id"))
		}
	})

	t.Run("TrackingRestartRecovers", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		began := time.Now()
		if err := s.Restart(ctx, "tracking"); err != nil {
			t.Fatal(err)
		}
		var users []api.UserAtLocation
		getJSON(t, gw+"/aggregator/locations/"+bedRoomLocation+"/"+seedHour, http.StatusOK, &users)
		if len(users) != 3 {
			t.Fatalf("after restart: %d users, want 3", len(users))
		}
		t.Logf("tracking restarted and answering through the gateway in %s", time.Since(began).Round(time.Millisecond))
	})
}

func do(t *testing.T, method, url, body string) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if method != http.MethodGet {
		req.Header.Set("Authorization", "Bearer "+writeToken) // writes need the stack's key
	}
	client := &http.Client{Timeout: 15 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

func getJSON(t *testing.T, url string, want int, dst any) {
	t.Helper()
	status, body := do(t, http.MethodGet, url, "")
	if status != want {
		t.Fatalf("GET %s: %d %s, want %d", url, status, body, want)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		t.Fatalf("GET %s: decode %s: %v", url, body, err)
	}
}

func post(t *testing.T, url, body string, want ...int) {
	t.Helper()
	status, b := do(t, http.MethodPost, url, body)
	for _, w := range want {
		if status == w {
			return
		}
	}
	t.Fatalf("POST %s: %d %s, want one of %v", url, status, b, want)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
