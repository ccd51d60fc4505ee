package main

import (
	"context"
	"errors"
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
// image, against the same Cassandra and upstreams as the rest of the run.
type ContainerSection struct {
	Skipped string           `json:"skipped,omitempty"`
	Network string           `json:"network,omitempty"`
	Runs    int              `json:"runsPerImage,omitempty"`
	Images  []ContainerStart `json:"images,omitempty"`
	// PodmanFloorMs: `podman run --rm IMAGE --help` (create, start, exit,
	// remove) for the gateway image: what podman costs with no service.
	PodmanFloorMs float64 `json:"podmanRunHelpMs,omitempty"`
	// Phases breaks that floor down (gateway image).
	Phases *PodmanPhases `json:"podmanPhases,omitempty"`
}

type ContainerStart struct {
	Service   string    `json:"service"`
	Image     string    `json:"image"`
	ReadyMs   []float64 `json:"startToReadyMs"`
	MedianMs  float64   `json:"medianMs"`
	MinMs     float64   `json:"minMs"`
	PodmanMs  float64   `json:"podmanRunDetachMedianMs"` // until `podman run -d` returned
	ProcessMs float64   `json:"bareProcessMedianMs"`     // the same binary started without a container
	Error     string    `json:"error,omitempty"`
}

const containerRuns = 5

func containerSection(ctx context.Context, o options, hosts string, s *procstack.Stack) *ContainerSection {
	if _, err := exec.LookPath("podman"); err != nil {
		return &ContainerSection{Skipped: "podman not installed (tools/podman-setup installs it)"}
	}
	tarballs := pairs(o.tarballs)
	digests := pairs(o.digests)
	if len(tarballs) == 0 {
		return &ContainerSection{Skipped: "no image tarballs given (run through Bazel: tools/bazel run //tools/bench/run)"}
	}
	sec := &ContainerSection{Network: "host", Runs: containerRuns}
	for _, svc := range servicelist.Names {
		cs := ContainerStart{Service: svc}
		tar, ok := tarballs[svc]
		if !ok {
			continue
		}
		image, err := loadImage(ctx, tar, digests[svc])
		cs.Image = image
		if err != nil {
			cs.Error = err.Error()
			sec.Images = append(sec.Images, cs)
			continue
		}
		var podmanMs, procMs []float64
		for i := range containerRuns {
			ready, detach, err := startContainer(ctx, svc, image, i, hosts, s)
			if err != nil {
				cs.Error = err.Error()
				break
			}
			cs.ReadyMs = append(cs.ReadyMs, ready)
			podmanMs = append(podmanMs, detach)
			if p, err := startProcess(ctx, svc, *o.bin.Path(svc), hosts, s); err == nil {
				procMs = append(procMs, p)
			}
		}
		cs.MedianMs, cs.MinMs = median(cs.ReadyMs), minOf(cs.ReadyMs)
		cs.PodmanMs, cs.ProcessMs = median(podmanMs), median(procMs)
		sec.Images = append(sec.Images, cs)
		step("  %s: median %.0f ms to ready (podman run -d returned after %.0f ms; bare process %.0f ms)", svc, cs.MedianMs, cs.PodmanMs, cs.ProcessMs)
	}
	if gw, ok := tarballs["gateway"]; ok {
		if image, err := loadImage(ctx, gw, digests["gateway"]); err == nil {
			var floor []float64
			for range 3 {
				began := time.Now()
				if err := exec.CommandContext(ctx, "podman", "run", "--rm", "--network", "host", image, "--help").Run(); err == nil || isExit(err) {
					floor = append(floor, msSince(began))
				}
			}
			sec.PodmanFloorMs = median(floor)
			sec.Phases = podmanPhases(ctx, image, o.bin.Gateway)
			step("  podman phases (gateway --help): %+v", *sec.Phases)
		}
	}
	return sec
}

func isExit(err error) bool {
	var ee *exec.ExitError
	return errors.As(err, &ee)
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
		time.Sleep(2 * time.Millisecond)
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
