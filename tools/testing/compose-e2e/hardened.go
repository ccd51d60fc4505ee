package main

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"slices"
	"strings"
)

// The capabilities a container has unless it drops them (podman's and
// Docker's defaults); cap_drop: [ALL] drops every one.
var defaultCaps = []string{"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
	"CAP_NET_BIND_SERVICE", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT"}

type inspected struct {
	Name   string
	State  struct{ Running bool }
	Config struct {
		User   string
		Labels map[string]string
	}
	EffectiveCaps []string
	HostConfig    struct {
		ReadonlyRootfs bool
		CapAdd         []string
		CapDrop        []string
		SecurityOpt    []string
		Memory         int64
		PidsLimit      int64
		PortBindings   map[string][]struct{ HostIp, HostPort string }
	}
}

// hardenedCheck inspects every container of the stack (the finished seed
// jobs too): read-only root file system, no capabilities, no-new-privileges,
// a memory and a pid limit, a non-root user, and no published port but the
// gateway's (and the observability UIs'), on loopback.
func hardenedCheck() error {
	ids, err := exec.Command("podman", "ps", "-aq", "--filter", "label=com.docker.compose.project=find-peers").Output()
	if err != nil || len(strings.Fields(string(ids))) == 0 {
		return fmt.Errorf("listing the stack's containers: %v", err)
	}
	out, err := exec.Command("podman", append([]string{"inspect"}, strings.Fields(string(ids))...)...).Output()
	if err != nil {
		return fmt.Errorf("podman inspect: %w", err)
	}
	var cs []inspected
	if err := json.Unmarshal(out, &cs); err != nil {
		return err
	}
	var problems []string
	for _, c := range cs {
		problems = append(problems, hardeningProblems(c)...)
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	fmt.Printf("    %d containers: read-only root, no capabilities, no-new-privileges, memory and pid limits, non-root; only the gateway published\n", len(cs))
	return nil
}

// loopbackPublished are the services that may publish a port, on loopback
// only: the gateway, and the UIs of the observability profile (Zipkin,
// Prometheus) when tools/stack-up --observability started them.
var loopbackPublished = map[string]bool{"gateway": true, "zipkin": true, "prometheus": true}

func hardeningProblems(c inspected) []string {
	h := c.HostConfig
	var p []string
	bad := func(format string, a ...any) { p = append(p, c.Name+": "+fmt.Sprintf(format, a...)) }
	if !h.ReadonlyRootfs {
		bad("root file system is writable")
	}
	for _, capability := range defaultCaps {
		if !slices.Contains(h.CapDrop, capability) {
			bad("keeps %s", capability)
		}
	}
	if len(h.CapAdd) > 0 || (c.State.Running && len(c.EffectiveCaps) > 0) {
		bad("has capabilities %v %v", h.CapAdd, c.EffectiveCaps)
	}
	if !slices.ContainsFunc(h.SecurityOpt, func(o string) bool { return strings.HasPrefix(o, "no-new-privileges") }) {
		bad("may gain privileges (no no-new-privileges)")
	}
	if h.Memory <= 0 || h.PidsLimit <= 0 {
		bad("memory limit %d, pid limit %d", h.Memory, h.PidsLimit)
	}
	if u := strings.Split(c.Config.User, ":")[0]; u == "" || u == "0" || u == "root" {
		bad("runs as root (user %q)", c.Config.User)
	}
	service := c.Config.Labels["com.docker.compose.service"]
	for port, binds := range h.PortBindings {
		for _, b := range binds {
			if !loopbackPublished[service] || b.HostIp != "127.0.0.1" {
				bad("publishes %s on %s:%s", port, b.HostIp, b.HostPort)
			}
		}
	}
	return p
}
