package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"

	"github.com/find-peers/find-peers/libs/procstack"
	"github.com/find-peers/find-peers/libs/servicelist"
)

// ContainerSection times `podman run` to the first 200 from /readyz, per
// image, against the same Cassandra and upstreams as the rest of the run,
// side by side with the podman floor: the same `podman run` of an image
// whose binary does nothing (//tools/bench/floor:image). The floor and the
// four services run in interleaved rounds, so drift hits all of them alike;
// each service is reported as floor + N ms, N taken per round.
type ContainerSection struct {
	Skipped string           `json:"skipped,omitempty"`
	Network string           `json:"network,omitempty"`
	Runs    int              `json:"runsPerImage,omitempty"`
	PollMs  float64          `json:"readyzPollMs,omitempty"`
	Floor   *FloorStart      `json:"floor,omitempty"`
	Images  []ContainerStart `json:"images,omitempty"`
	// Phases breaks the floor image's `podman run` down.
	Phases *PodmanPhases `json:"podmanPhases,omitempty"`
	// NotQuiet counts the starts that began while podman or conmon
	// processes of an earlier container were still running, after waiting
	// quietTimeout for them (waitPodmanQuiet); 0 in a clean run.
	NotQuiet int `json:"startsNotQuiet"`
}

// FloorStart is the podman floor: `podman run -d` of the floor image, timed
// from invoking podman until the floor process, started by the runtime,
// has connected to a listener of the benchmark (the first thing it does;
// then it exits). That is the services' start-to-ready without the
// service: podman, conmon, runc and the Go runtime's start.
type FloorStart struct {
	Image    string    `json:"image"`
	RanMs    []float64 `json:"startToRunMs"` // per round
	MedianMs float64   `json:"medianMs"`
	MinMs    float64   `json:"minMs"`
	PodmanMs float64   `json:"podmanRunDetachMedianMs"` // until `podman run -d` returned
	// AttachedMs: attached `podman run --rm` of the floor image (it exits at
	// once) until podman returned: create, start, exit, wait, remove.
	AttachedMs float64 `json:"attachedRunRmMedianMs"`
	ProcessMs  float64 `json:"bareProcessMedianMs"` // the floor binary started without a container
	Error      string  `json:"error,omitempty"`
}

type ContainerStart struct {
	Service  string    `json:"service"`
	Image    string    `json:"image"`
	ReadyMs  []float64 `json:"startToReadyMs"`
	MedianMs float64   `json:"medianMs"`
	MinMs    float64   `json:"minMs"`
	// OverFloorMs: per round, start-to-ready minus that round's floor.
	OverFloorMs       []float64 `json:"overFloorMs,omitempty"`
	OverFloorMedianMs float64   `json:"overFloorMedianMs"`
	PodmanMs          float64   `json:"podmanRunDetachMedianMs"` // until `podman run -d` returned
	ProcessMs         float64   `json:"bareProcessMedianMs"`     // the same binary started without a container
	Error             string    `json:"error,omitempty"`
}

const (
	containerRuns = 9
	// readyzPoll is how often the benchmark asks /readyz: the resolution of
	// start-to-ready (a refused connection costs microseconds).
	readyzPoll = time.Millisecond
)

func containerSection(ctx context.Context, o options, hosts string, s *procstack.Stack) *ContainerSection {
	if _, err := exec.LookPath("podman"); err != nil {
		return &ContainerSection{Skipped: "podman not installed (tools/podman-setup installs it)"}
	}
	tarballs := pairs(o.tarballs)
	digests := pairs(o.digests)
	if len(tarballs) == 0 {
		return &ContainerSection{Skipped: "no image tarballs given (run through Bazel: tools/bazel run //tools/bench/run)"}
	}
	sec := &ContainerSection{Network: "host", Runs: containerRuns, PollMs: float64(readyzPoll) / float64(time.Millisecond)}

	// Load every image first: loading is not what is measured.
	floor := &FloorStart{}
	if o.floorTarball == "" {
		floor.Error = "no -floor-tarball (run through Bazel: tools/bazel run //tools/bench/run)"
	} else if image, err := loadImage(ctx, o.floorTarball, o.floorDigest); err != nil {
		floor.Error = err.Error()
	} else {
		floor.Image = image
	}
	sec.Floor = floor
	var images []*ContainerStart
	for _, svc := range servicelist.Names {
		tar, ok := tarballs[svc]
		if !ok {
			continue
		}
		cs := &ContainerStart{Service: svc}
		image, err := loadImage(ctx, tar, digests[svc])
		cs.Image = image
		if err != nil {
			cs.Error = err.Error()
		}
		images = append(images, cs)
	}

	// Interleaved rounds: floor, then each service (container, then the
	// same binary as a bare process).
	podmanMs := map[string][]float64{}
	procMs := map[string][]float64{}
	var floorDetach, floorAttached, floorProc []float64
	// quiet waits for the last container's helpers to end before a start.
	quiet := func() {
		if busy := waitPodmanQuiet(ctx); len(busy) > 0 {
			sec.NotQuiet++
			step("  still running after %s: %s", quietTimeout, strings.Join(busy, " "))
		}
	}
	for i := range containerRuns {
		floorMs := -1.0
		if floor.Error == "" {
			quiet()
			ran, detach, err := startFloor(ctx, floor.Image, i)
			if err != nil {
				floor.Error = err.Error()
			} else {
				floorMs = ran
				floor.RanMs = append(floor.RanMs, ran)
				floorDetach = append(floorDetach, detach)
			}
			quiet()
			if ms, err := attachedFloor(ctx, floor.Image); err == nil {
				floorAttached = append(floorAttached, ms)
			}
			if o.floorBin != "" {
				quiet()
				if ms, err := startFloorProcess(ctx, o.floorBin); err == nil {
					floorProc = append(floorProc, ms)
				}
			}
		}
		for _, cs := range images {
			if cs.Error != "" {
				continue
			}
			quiet()
			ready, detach, err := startContainer(ctx, cs.Service, cs.Image, i, hosts, s)
			if err != nil {
				cs.Error = err.Error()
				continue
			}
			cs.ReadyMs = append(cs.ReadyMs, ready)
			if floorMs >= 0 {
				cs.OverFloorMs = append(cs.OverFloorMs, ready-floorMs)
			}
			podmanMs[cs.Service] = append(podmanMs[cs.Service], detach)
			quiet()
			if p, err := startProcess(ctx, cs.Service, *o.bin.Path(cs.Service), hosts, s); err == nil {
				procMs[cs.Service] = append(procMs[cs.Service], p)
			}
		}
	}
	floor.MedianMs, floor.MinMs = median(floor.RanMs), minOf(floor.RanMs)
	floor.PodmanMs, floor.AttachedMs, floor.ProcessMs = median(floorDetach), median(floorAttached), median(floorProc)
	if floor.Error == "" {
		step("  floor: median %.0f ms to run (podman run -d returned after %.0f ms; attached podman run --rm %.0f ms; bare process %.1f ms)",
			floor.MedianMs, floor.PodmanMs, floor.AttachedMs, floor.ProcessMs)
	} else {
		step("  floor: %s", floor.Error)
	}
	for _, cs := range images {
		cs.MedianMs, cs.MinMs = median(cs.ReadyMs), minOf(cs.ReadyMs)
		cs.OverFloorMedianMs = median(cs.OverFloorMs)
		cs.PodmanMs, cs.ProcessMs = median(podmanMs[cs.Service]), median(procMs[cs.Service])
		sec.Images = append(sec.Images, *cs)
		step("  %s: median %.0f ms to ready = floor + %.0f ms (podman run -d returned after %.0f ms; bare process %.0f ms)",
			cs.Service, cs.MedianMs, cs.OverFloorMedianMs, cs.PodmanMs, cs.ProcessMs)
	}
	if floor.Error == "" {
		sec.Phases = podmanPhases(ctx, floor.Image, o.floorBin)
		step("  podman phases (floor image): %+v", *sec.Phases)
	}
	return sec
}

// startFloor runs the floor image detached, the way startContainer runs a
// service, with the address of a listener of ours as its argument; it
// returns the time from invoking podman until the floor process connected
// and the time `podman run -d` took, in ms.
func startFloor(ctx context.Context, image string, i int) (ran, detach float64, err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, 0, err
	}
	defer ln.Close()
	name := fmt.Sprintf("find-peers-bench-floor-%d-%d", os.Getpid(), i)
	defer exec.Command("podman", "rm", "-f", "-t", "0", name).Run()
	accepted := make(chan time.Time, 1)
	go func() {
		if c, err := ln.Accept(); err == nil {
			accepted <- time.Now()
			c.Close()
		}
	}()
	began := time.Now()
	cmd := exec.CommandContext(ctx, "podman", "run", "-d", "--rm", "--name", name, "--network", "host", image, ln.Addr().String())
	done := make(chan error, 1)
	var out []byte
	go func() { var e error; out, e = cmd.CombinedOutput(); detach = msSince(began); done <- e }()
	select {
	case at := <-accepted:
		ran = float64(at.Sub(began).Microseconds()) / 1000
	case err := <-done:
		if err != nil {
			return 0, 0, fmt.Errorf("podman run (floor): %v: %s", err, out)
		}
		select {
		case at := <-accepted:
			ran = float64(at.Sub(began).Microseconds()) / 1000
			return ran, detach, nil
		case <-time.After(30 * time.Second):
			return 0, 0, fmt.Errorf("floor container %s did not connect within 30s", name)
		case <-ctx.Done():
			return 0, 0, ctx.Err()
		}
	case <-time.After(60 * time.Second):
		return 0, 0, fmt.Errorf("floor container %s did not connect within 60s", name)
	case <-ctx.Done():
		return 0, 0, ctx.Err()
	}
	if err := <-done; err != nil {
		return 0, 0, fmt.Errorf("podman run (floor): %v: %s", err, out)
	}
	return ran, detach, nil
}

// attachedFloor times attached `podman run --rm` of the floor image, which
// exits at once: until podman returned (create, start, exit, remove).
func attachedFloor(ctx context.Context, image string) (float64, error) {
	_, ms, err := timed(ctx, "podman", "run", "--rm", "--network", "host", image)
	return ms, err
}

// startFloorProcess starts the floor binary without a container and times
// it the same way as startFloor: until it connected.
func startFloorProcess(ctx context.Context, bin string) (float64, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	accepted := make(chan time.Time, 1)
	go func() {
		if c, err := ln.Accept(); err == nil {
			accepted <- time.Now()
			c.Close()
		}
	}()
	cmd := exec.CommandContext(ctx, bin, ln.Addr().String())
	began := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	defer func() { _ = cmd.Wait() }()
	select {
	case at := <-accepted:
		return float64(at.Sub(began).Microseconds()) / 1000, nil
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		return 0, fmt.Errorf("%s did not connect within 10s", bin)
	}
}

// loadImage loads a tarball into podman and returns the image to run: the
// image id from the digest file (exactly the image measured), else the tag.
func loadImage(ctx context.Context, tar, digestFile string) (string, error) {
	out, err := exec.CommandContext(ctx, "podman", "load", "-q", "-i", tar).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("podman load %s: %v: %s", tar, err, out)
	}
	if digestFile != "" {
		if d, err := readDigest(digestFile); err == nil {
			for _, im := range d.Images {
				if im.Platform == d.TarballPlatform && im.ImageID != "" {
					return strings.TrimPrefix(im.ImageID, "sha256:"), nil
				}
			}
		}
	}
	line := strings.TrimSpace(string(out))
	if i := strings.LastIndex(line, ": "); i >= 0 {
		return strings.TrimSpace(line[i+2:]), nil
	}
	return line, nil
}

func serviceEnv(svc string, port int, hosts string, s *procstack.Stack) []string {
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	switch svc {
	case "beacon":
		return []string{"BEACON_LISTEN_ADDR=" + addr, "CASSANDRA_HOSTS=" + hosts, "CASSANDRA_KEYSPACE=" + benchBeaconKS}
	case "tracking":
		return []string{"TRACKING_LISTEN_ADDR=" + addr, "CASSANDRA_HOSTS=" + hosts, "CASSANDRA_KEYSPACE=" + benchTrackingKS}
	case "aggregator":
		return []string{"AGGREGATOR_LISTEN_ADDR=" + addr, "AGGREGATOR_BEACON_URL=" + s.URL("beacon"), "AGGREGATOR_TRACKING_URL=" + s.URL("tracking")}
	default:
		return []string{"GATEWAY_LISTEN_ADDR=" + addr, "GATEWAY_BEACON_URL=" + s.URL("beacon"),
			"GATEWAY_TRACKING_URL=" + s.URL("tracking"), "GATEWAY_AGGREGATOR_URL=" + s.URL("aggregator")}
	}
}

// startContainer runs the image detached and polls /readyz; it returns the
// time to the first 200 and the time `podman run -d` took, in ms.
func startContainer(ctx context.Context, svc, image string, i int, hosts string, s *procstack.Stack) (ready, detach float64, err error) {
	port, err := freePort()
	if err != nil {
		return 0, 0, err
	}
	name := fmt.Sprintf("find-peers-bench-%s-%d-%d", svc, os.Getpid(), i)
	args := []string{"run", "-d", "--rm", "--name", name, "--network", "host"}
	for _, e := range serviceEnv(svc, port, hosts, s) {
		args = append(args, "-e", e)
	}
	args = append(args, image, "serve")
	defer exec.Command("podman", "rm", "-f", "-t", "0", name).Run()
	began := time.Now()
	cmd := exec.CommandContext(ctx, "podman", args...)
	done := make(chan error, 1)
	var out []byte
	go func() { var e error; out, e = cmd.CombinedOutput(); detach = msSince(began); done <- e }()
	if err := pollReady(ctx, fmt.Sprintf("http://127.0.0.1:%d/readyz", port), 60*time.Second); err != nil {
		return 0, 0, err
	}
	ready = msSince(began)
	if err := <-done; err != nil {
		return 0, 0, fmt.Errorf("podman run: %v: %s", err, out)
	}
	return ready, detach, nil
}

// startProcess starts the service binary itself (no container) the same way.
func startProcess(ctx context.Context, svc, bin string, hosts string, s *procstack.Stack) (float64, error) {
	port, err := freePort()
	if err != nil {
		return 0, err
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), serviceEnv(svc, port, hosts, s)...)
	began := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	if err := pollReady(ctx, fmt.Sprintf("http://127.0.0.1:%d/readyz", port), 30*time.Second); err != nil {
		return 0, err
	}
	return msSince(began), nil
}

func pollReady(ctx context.Context, url string, timeout time.Duration) error {
	c := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := c.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		time.Sleep(readyzPoll)
	}
	return fmt.Errorf("%s not ready within %s", url, timeout)
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func msSince(t time.Time) float64 { return float64(time.Since(t).Microseconds()) / 1000 }

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func minOf(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	return slices.Min(v)
}

func pairs(m multi) map[string]string {
	out := map[string]string{}
	for _, p := range m {
		if k, v, ok := strings.Cut(p, "="); ok {
			out[k] = v
		}
	}
	return out
}
