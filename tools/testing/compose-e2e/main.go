// Command compose-e2e is the end-to-end test of the containerised system:
// it brings the compose stack up (tools/stack-up: real images, real podman,
// real Cassandra), checks the user-visible behaviour THROUGH THE GATEWAY on
// 127.0.0.1:9000, restarts the tracking container and checks the gateway
// answers again within a bound, then tears everything down (tools/stack-down)
// and checks that no container, volume or network of the project is left.
// Every step is timed; the whole run is bounded by -timeout.
//
//	tools/bazel run //tools/testing/compose-e2e [-- -no-build] [-cluster] [-keep]
//	go run ./tools/testing/compose-e2e [-no-build] ...   (from the workspace root)
//
// It stops any find-peers compose stack already running first (CI runs it
// on a clean machine; on a laptop, this is a warning).
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

const (
	gateway         = "http://127.0.0.1:9000"
	bedRoomLocation = "ce519f95-923c-4532-879e-cd19afa8dda8"
	bedRoomBeacon   = "5bf966d9-8046-4fc1-ae5a-80c923ebea5a"
	seedHour        = int64(1473156000)
)

type userAtLocation struct {
	UserID     string    `json:"userId"`
	Name       string    `json:"name"`
	TimeLogged time.Time `json:"timeLogged"`
	BeaconName string    `json:"beaconName"`
}

type sighting struct {
	BeaconID   string    `json:"beaconId"`
	TimeLogged time.Time `json:"timeLogged"`
	UserID     string    `json:"userId"`
	Name       string    `json:"name"`
}

var (
	ws      string
	client  = &http.Client{Timeout: 10 * time.Second}
	timings []string
)

func main() {
	noBuild := flag.Bool("no-build", false, "use the images podman already has (tools/stack-up --no-build)")
	cluster := flag.Bool("cluster", false, "run against the 3-node Cassandra cluster")
	keep := flag.Bool("keep", false, "leave the stack running at the end (skips the teardown checks)")
	timeout := flag.Duration("timeout", 25*time.Minute, "bound of the whole run")
	restartBound := flag.Duration("restart-bound", 60*time.Second, "how soon the gateway must answer again after `podman restart` of tracking")
	flag.Parse()

	ws = os.Getenv("BUILD_WORKSPACE_DIRECTORY")
	if ws == "" {
		ws, _ = os.Getwd()
	}
	if _, err := os.Stat(filepath.Join(ws, "compose.yaml")); err != nil {
		fail("run from the workspace root (or with bazel run): %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	t0 := time.Now()

	step("pre-clean (tools/stack-down)", func() error { return script(ctx, "stack-down") })
	upArgs := []string{}
	if *noBuild {
		upArgs = append(upArgs, "--no-build")
	}
	if *cluster {
		upArgs = append(upArgs, "--cluster")
	}
	err := step("stack up to healthy (tools/stack-up "+strings.Join(upArgs, " ")+")", func() error { return script(ctx, "stack-up", upArgs...) })
	if err == nil {
		err = checks(ctx, *restartBound)
	}
	if !*keep {
		if derr := step("teardown (tools/stack-down)", func() error { return script(context.Background(), "stack-down") }); derr != nil && err == nil {
			err = derr
		}
		if lerr := step("no leftovers (podman ps/volume/network)", noLeftovers); lerr != nil && err == nil {
			err = lerr
		}
	}
	fmt.Println("\ncompose-e2e timings:")
	for _, t := range timings {
		fmt.Println("  " + t)
	}
	fmt.Printf("  total %s\n", time.Since(t0).Round(100*time.Millisecond))
	if err != nil {
		fail("%v", err)
	}
	fmt.Println("compose-e2e: PASS")
}

func checks(ctx context.Context, restartBound time.Duration) error {
	if err := step("seed hour: three Erupaka users at 'Bed Room Beacon'", seedHourCheck); err != nil {
		return err
	}
	if err := step("one hour later: []", func() error {
		var got []userAtLocation
		if err := getJSON(fmt.Sprintf("/aggregator/locations/%s/%d", bedRoomLocation, seedHour+3600), &got); err != nil {
			return err
		}
		if len(got) != 0 {
			return fmt.Errorf("want [], got %v", got)
		}
		return nil
	}); err != nil {
		return err
	}
	var posted sighting
	if err := step("live stream delivers a sighting posted after subscribing", func() error {
		var err error
		posted, err = liveCheck(ctx)
		return err
	}); err != nil {
		return err
	}
	if err := step("POST /tracking/sightings is readable back", func() error { return readBack(posted) }); err != nil {
		return err
	}
	return step(fmt.Sprintf("podman restart tracking; gateway answers again within %s", restartBound), func() error {
		return restartCheck(ctx, restartBound)
	})
}

func seedHourCheck() error {
	var got []userAtLocation
	if err := getJSON(fmt.Sprintf("/aggregator/locations/%s/%d", bedRoomLocation, seedHour), &got); err != nil {
		return err
	}
	var names []string
	for _, u := range got {
		if u.BeaconName != "Bed Room Beacon" {
			return fmt.Errorf("beaconName %q, want 'Bed Room Beacon' (%v)", u.BeaconName, got)
		}
		if !u.TimeLogged.Equal(time.Unix(seedHour, 0)) {
			return fmt.Errorf("timeLogged %s, want 2016-09-06T10:00:00Z", u.TimeLogged)
		}
		names = append(names, u.Name)
	}
	sort.Strings(names)
	want := []string{"Avinash Erupaka", "Bhargavi Erupaka", "Shobha Erupaka"}
	if strings.Join(names, ",") != strings.Join(want, ",") {
		return fmt.Errorf("users %q, want %q", names, want)
	}
	fmt.Printf("    %d users: %s\n", len(names), strings.Join(names, ", "))
	return nil
}

// liveCheck subscribes to the bed room's live stream, then posts a sighting
// of a fresh user there and waits for it on the stream.
func liveCheck(ctx context.Context) (sighting, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, gateway+"/aggregator/locations/"+bedRoomLocation+"/live", nil)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req) // no client timeout: a stream
	if err != nil {
		return sighting{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return sighting{}, fmt.Errorf("live: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	events := make(chan string, 16)
	go func() {
		defer close(events)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data:"); ok {
				events <- strings.TrimSpace(data)
			}
		}
	}()
	// The aggregator subscribes upstream when the client does; give that a
	// moment so the sighting is not posted before the chain is connected.
	time.Sleep(500 * time.Millisecond)
	s := sighting{BeaconID: bedRoomBeacon, TimeLogged: time.Now().UTC().Truncate(time.Second), UserID: newUUID(), Name: "Compose E2e"}
	body, _ := json.Marshal(s)
	postResp, err := client.Post(gateway+"/tracking/sightings", "application/json", bytes.NewReader(body))
	if err != nil {
		return s, err
	}
	b, _ := io.ReadAll(postResp.Body)
	postResp.Body.Close()
	if postResp.StatusCode/100 != 2 {
		return s, fmt.Errorf("POST /tracking/sightings: %d %s", postResp.StatusCode, b)
	}
	postedAt := time.Now()
	for {
		select {
		case data, ok := <-events:
			if !ok {
				return s, errors.New("live stream ended before the sighting arrived")
			}
			var u userAtLocation
			if err := json.Unmarshal([]byte(data), &u); err != nil {
				return s, fmt.Errorf("live event %q: %w", data, err)
			}
			if u.UserID != s.UserID {
				continue
			}
			if u.BeaconName != "Bed Room Beacon" || u.Name != s.Name {
				return s, fmt.Errorf("live event %+v", u)
			}
			d := time.Since(postedAt)
			fmt.Printf("    live event %s after the POST was acknowledged\n", d.Round(time.Millisecond))
			if d > 5*time.Second {
				return s, fmt.Errorf("live sighting took %s, want within 5s", d)
			}
			return s, nil
		case <-time.After(10 * time.Second):
			return s, errors.New("no live event within 10 s of the POST")
		}
	}
}

func readBack(s sighting) error {
	var got []sighting
	if err := getJSON(fmt.Sprintf("/tracking/beacons/%s/%d", s.BeaconID, s.TimeLogged.Unix()), &got); err != nil {
		return err
	}
	for _, g := range got {
		if g.UserID == s.UserID && g.Name == s.Name && g.TimeLogged.Equal(s.TimeLogged) {
			return nil
		}
	}
	return fmt.Errorf("posted sighting %+v not in %+v", s, got)
}

func restartCheck(ctx context.Context, bound time.Duration) error {
	out, err := exec.CommandContext(ctx, "podman", "ps", "-q", "--filter", "label=com.docker.compose.project=find-peers",
		"--filter", "label=com.docker.compose.service=tracking").Output()
	id := strings.TrimSpace(string(out))
	if err != nil || id == "" || strings.Contains(id, "\n") {
		return fmt.Errorf("find the tracking container: %q %v", id, err)
	}
	t := time.Now()
	if out, err := exec.CommandContext(ctx, "podman", "restart", "--time", "10", id).CombinedOutput(); err != nil {
		return fmt.Errorf("podman restart: %v %s", err, out)
	}
	restarted := time.Since(t)
	path := fmt.Sprintf("/tracking/beacons/%s/%d", bedRoomBeacon, seedHour)
	var last error
	for time.Since(t) < bound {
		var got []sighting
		if last = getJSON(path, &got); last == nil && len(got) == 3 {
			var agg []userAtLocation
			if last = getJSON(fmt.Sprintf("/aggregator/locations/%s/%d", bedRoomLocation, seedHour), &agg); last == nil && len(agg) == 3 {
				fmt.Printf("    podman restart took %s; gateway answered tracking and aggregator again %s after the restart began\n",
					restarted.Round(time.Millisecond), time.Since(t).Round(time.Millisecond))
				return nil
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	return fmt.Errorf("gateway did not answer %s within %s (last: %v)", path, bound, last)
}

func noLeftovers() error {
	var left []string
	for _, args := range [][]string{
		{"ps", "-a", "--filter", "label=com.docker.compose.project=find-peers", "--format", "container {{.Names}}"},
		{"volume", "ls", "--filter", "label=com.docker.compose.project=find-peers", "--format", "volume {{.Name}}"},
		{"network", "ls", "--format", "network {{.Name}}"},
	} {
		out, err := exec.Command("podman", args...).Output()
		if err != nil {
			return fmt.Errorf("podman %s: %w", strings.Join(args, " "), err)
		}
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if l != "" && (args[0] != "network" || strings.HasPrefix(l, "network find-peers_")) {
				left = append(left, l)
			}
		}
	}
	if len(left) > 0 {
		return fmt.Errorf("left over: %s", strings.Join(left, ", "))
	}
	return nil
}

func getJSON(path string, v any) error {
	resp, err := client.Get(gateway + path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != 200 {
		return fmt.Errorf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("GET %s: %w: %s", path, err, b)
	}
	return nil
}

func script(ctx context.Context, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, filepath.Join(ws, "tools", name), args...)
	cmd.Dir = ws
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	return cmd.Run()
}

func step(name string, fn func() error) error {
	fmt.Printf("=== %s\n", name)
	t := time.Now()
	err := fn()
	d := time.Since(t).Round(100 * time.Millisecond)
	status := "ok"
	if err != nil {
		status = "FAIL: " + err.Error()
	}
	fmt.Printf("--- %s (%s) %s\n", status, d, name)
	timings = append(timings, fmt.Sprintf("%-70s %8s  %s", name, d, map[bool]string{true: "ok", false: "FAIL"}[err == nil]))
	return err
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := fmt.Sprintf("%x", b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func fail(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "compose-e2e: FAIL: "+format+"\n", a...)
	os.Exit(1)
}
