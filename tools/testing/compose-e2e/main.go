// Command compose-e2e is the end-to-end test of the containerised system:
// it brings the compose stack up (tools/stack-up: real images, real podman,
// real Cassandra), checks that the containers are hardened and Cassandra is
// secure (cassandra.go), checks the user-visible behaviour THROUGH THE
// GATEWAY on 127.0.0.1:9000, restarts the tracking container and checks the
// gateway answers again within a bound, checks the API access rules with the
// dev keys and that nothing but the gateway is reachable from outside the
// host, then tears everything down (tools/stack-down)
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
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/find-peers/find-peers/tools/testing/systemcheck"
)

const gatewayURL = "http://127.0.0.1:9000"

var (
	ws    string
	steps = &systemcheck.Steps{Out: os.Stdout}
	gw    = systemcheck.Gateway{URL: gatewayURL, HTTP: &http.Client{Timeout: 10 * time.Second}}
)

func main() {
	noBuild := flag.Bool("no-build", false, "use the images podman already has (tools/stack-up --no-build)")
	cluster := flag.Bool("cluster", false, "run against the 3-node Cassandra cluster")
	keep := flag.Bool("keep", false, "leave the stack running at the end (skips the teardown checks)")
	timeout := flag.Duration("timeout", 25*time.Minute, "bound of the whole run")
	restartBound := flag.Duration("restart-bound", 60*time.Second, "how soon the gateway must answer again after `podman restart` of tracking")
	keysDir := flag.String("api-keys-dir", filepath.Join(cacheDir(), "api-keys"), "where tools/stack-up keeps the gateway's key file (gateway/keys.json) and the dev tokens (tokens/)")
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

	steps.Run("pre-clean (tools/stack-down)", func() error { return script(ctx, "stack-down") })
	upArgs := []string{}
	if *noBuild {
		upArgs = append(upArgs, "--no-build")
	}
	if *cluster {
		upArgs = append(upArgs, "--cluster")
	}
	err := steps.Run("stack up to healthy (tools/stack-up "+strings.Join(upArgs, " ")+")", func() error { return script(ctx, "stack-up", upArgs...) })
	var keys devKeys
	if err == nil {
		err = steps.Run("dev API keys (tools/stack-up made them)", func() (e error) { keys, e = loadDevKeys(*keysDir); return e })
	}
	if err == nil {
		gw.Token = keys.write
		nodes := 1
		if *cluster {
			nodes = 3
		}
		err = checks(ctx, *restartBound, keys, nodes)
	}
	if !*keep {
		if derr := steps.Run("teardown (tools/stack-down)", func() error { return script(context.Background(), "stack-down") }); derr != nil && err == nil {
			err = derr
		}
		if lerr := steps.Run("no leftovers (podman ps/volume/network)", noLeftovers); lerr != nil && err == nil {
			err = lerr
		}
	}
	steps.Table("compose-e2e")
	fmt.Printf("  total %s\n", time.Since(t0).Round(100*time.Millisecond))
	if err != nil {
		fail("%v", err)
	}
	fmt.Println("compose-e2e: PASS")
}

func checks(ctx context.Context, restartBound time.Duration, keys devKeys, nodes int) error {
	if err := steps.Run("containers hardened; only the gateway published", hardenedCheck); err != nil {
		return err
	}
	if err := steps.Run("Cassandra: TLS and a login required; tracking's role cannot read beacon's tables", func() error {
		return cassandraSecurityCheck(ctx, nodes)
	}); err != nil {
		return err
	}
	if err := steps.Run("internal services unreachable from outside the host; gateway on loopback", func() error { return isolationCheck(ctx) }); err != nil {
		return err
	}
	if err := steps.Run("API access: 401 no/unknown/revoked key, 403 read key writing, 429 after a burst", func() error {
		summary, err := gw.AccessCheck(ctx, keys.file, keys.read, 15*time.Second)
		if err == nil {
			fmt.Printf("    %s\n", summary)
		}
		return err
	}); err != nil {
		return err
	}
	if err := steps.Run("seed hour: three Erupaka users at 'Bed Room Beacon'", func() error {
		names, err := gw.SeedHour(ctx)
		fmt.Printf("    %s\n", strings.Join(names, ", "))
		return err
	}); err != nil {
		return err
	}
	if err := steps.Run("one hour later: []", func() error { return gw.HourLaterEmpty(ctx) }); err != nil {
		return err
	}
	var posted systemcheck.Sighting
	if err := steps.Run("live stream delivers a sighting posted after subscribing", func() error {
		s, d, err := gw.LiveCheck(ctx, "Compose E2e")
		posted = s
		if err == nil {
			fmt.Printf("    live event %s after the POST was acknowledged\n", d.Round(time.Millisecond))
		}
		return err
	}); err != nil {
		return err
	}
	if err := steps.Run("POST /tracking/sightings is readable back", func() error {
		missing, err := gw.Missing(ctx, []systemcheck.Sighting{posted})
		if err == nil && len(missing) > 0 {
			err = fmt.Errorf("posted sighting %+v not read back", posted)
		}
		return err
	}); err != nil {
		return err
	}
	return steps.Run(fmt.Sprintf("podman restart tracking; gateway answers again within %s, the aggregator at its first call", restartBound), func() error {
		return restartCheck(ctx, restartBound)
	})
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
	path := fmt.Sprintf("/tracking/beacons/%s/%d", systemcheck.BedRoomBeacon, systemcheck.SeedHour)
	var last error
	for {
		if time.Since(t) >= bound {
			return fmt.Errorf("gateway did not answer %s within %s (last: %v)", path, bound, last)
		}
		var got []systemcheck.Sighting
		if last = gw.GetJSON(ctx, path, &got); last == nil && len(got) == 3 {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	back := time.Since(t)
	// The aggregator's next call must succeed at once: the address of
	// tracking it knows is the old container's, which does not answer, and
	// its dial timeout must move it on to the new one within the call (it
	// used to wait out the call and answer 502).
	aggStart := time.Now()
	var agg []systemcheck.UserAtLocation
	err = gw.GetJSON(ctx, fmt.Sprintf("/aggregator/locations/%s/%d", systemcheck.BedRoomLocation, systemcheck.SeedHour), &agg)
	if err == nil && len(agg) != 3 {
		err = fmt.Errorf("%d users at the bed room, want 3", len(agg))
	}
	if err != nil {
		return fmt.Errorf("tracking answered again %s after the restart began, but the aggregator's first call then failed: %w", back.Round(time.Millisecond), err)
	}
	fmt.Printf("    podman restart took %s; tracking answered through the gateway again %s after the restart began, "+
		"and the aggregator's first call then in %s\n", restarted.Round(time.Millisecond), back.Round(time.Millisecond),
		time.Since(aggStart).Round(time.Millisecond))
	return nil
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

func script(ctx context.Context, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, filepath.Join(ws, "tools", name), args...)
	cmd.Dir = ws
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	return cmd.Run()
}

func fail(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "compose-e2e: FAIL: "+format+"\n", a...)
	os.Exit(1)
}
