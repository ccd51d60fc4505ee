package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// PodmanPhases splits `podman run` of the floor image (its binary exits at
// once) into podman's own steps, and times the OCI runtime alone on the same
// bundle: where the podman floor of section 4 goes. Each figure is the
// median of phaseRuns.
type PodmanPhases struct {
	Image    string  `json:"image"`
	CreateMs float64 `json:"podmanCreateMs"` // container record + storage layer
	InitMs   float64 `json:"podmanInitMs"`   // conmon + `runc create`: namespaces, cgroups, rootfs mount
	StartMs  float64 `json:"podmanStartMs"`  // `runc start`, attach, the process runs and exits
	RemoveMs float64 `json:"podmanRmMs"`
	// RuncRunMs is `runc run` of the same OCI bundle (config.json written
	// by podman, rootfs mounted by podman) without podman or conmon: the
	// runtime's own floor. 0 when runc is not there.
	RuncRunMs float64 `json:"runcRunMs,omitempty"`
	// BinaryMs is the floor binary run to its exit without any container
	// (0 without -floor-bin).
	BinaryMs float64 `json:"binaryMs"`
	Error    string  `json:"error,omitempty"`
}

const phaseRuns = 5

func podmanPhases(ctx context.Context, image, binary string) *PodmanPhases {
	ph := &PodmanPhases{Image: image}
	var create, initT, start, rm, runc, bin []float64
	for range phaseRuns {
		id, ms, err := timed(ctx, "podman", "create", "--network", "host", image)
		if err != nil {
			ph.Error = err.Error()
			return ph
		}
		create = append(create, ms)
		for _, p := range []struct {
			into *[]float64
			args []string
		}{
			{&initT, []string{"init", id}},
			{&start, []string{"start", "-a", id}},
			{&rm, []string{"rm", id}},
		} {
			_, ms, err := timed(ctx, "podman", p.args...)
			if err != nil {
				_ = exec.Command("podman", "rm", "-f", id).Run()
				ph.Error = err.Error()
				return ph
			}
			*p.into = append(*p.into, ms)
		}
		if binary != "" {
			if _, ms, err := timed(ctx, binary); err == nil {
				bin = append(bin, ms)
			}
		}
	}
	if _, err := exec.LookPath("runc"); err == nil {
		var err error
		if runc, err = runcRun(ctx, image); err != nil {
			ph.Error = "runc run: " + err.Error()
		}
	}
	ph.CreateMs, ph.InitMs, ph.StartMs, ph.RemoveMs = median(create), median(initT), median(start), median(rm)
	ph.RuncRunMs, ph.BinaryMs = median(runc), median(bin)
	return ph
}

// runcRun has podman prepare a container (bundle config and mounted rootfs),
// copies its config.json into a fresh bundle without the cgroup path and
// hooks (so it cannot clash with podman's container), and times `runc run`.
func runcRun(ctx context.Context, image string) ([]float64, error) {
	id, _, err := timed(ctx, "podman", "create", "--network", "host", image)
	if err != nil {
		return nil, err
	}
	defer exec.Command("podman", "rm", "-f", id).Run()
	if _, _, err := timed(ctx, "podman", "init", id); err != nil {
		return nil, err
	}
	rootfs, _, err := timed(ctx, "podman", "mount", id)
	if err != nil {
		return nil, err
	}
	staticDir, _, err := timed(ctx, "podman", "inspect", "--format", "{{.StaticDir}}", id)
	if err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(filepath.Join(staticDir, "config.json"))
	if err != nil {
		return nil, err
	}
	var spec map[string]any
	if err := json.Unmarshal(raw, &spec); err != nil {
		return nil, fmt.Errorf("podman's config.json: %w", err)
	}
	spec["root"] = map[string]any{"path": rootfs, "readonly": false}
	if proc, ok := spec["process"].(map[string]any); ok {
		proc["terminal"] = false
	}
	if linux, ok := spec["linux"].(map[string]any); ok {
		delete(linux, "cgroupsPath") // runc picks its own cgroup
	}
	delete(spec, "hooks")
	bundle, err := os.MkdirTemp("", "find-peers-bench-bundle-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(bundle)
	out, _ := json.Marshal(spec)
	if err := os.WriteFile(filepath.Join(bundle, "config.json"), out, 0o600); err != nil {
		return nil, err
	}
	var runs []float64
	for i := range phaseRuns {
		name := fmt.Sprintf("find-peers-bench-runc-%d-%d", os.Getpid(), i)
		if _, ms, err := timed(ctx, "runc", "run", "--bundle", bundle, name); err != nil {
			return runs, err
		} else {
			runs = append(runs, ms)
		}
	}
	return runs, nil
}

// timed runs a command and returns its trimmed stdout and how long it took.
func timed(ctx context.Context, name string, args ...string) (string, float64, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	began := time.Now()
	out, err := cmd.Output()
	ms := msSince(began)
	if err != nil {
		return "", ms, fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), ms, nil
}
