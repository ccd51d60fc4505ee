package main

import (
	"strings"
	"testing"
)

func hardened(service string) inspected {
	var c inspected
	c.Name = "find-peers-" + service + "-1"
	c.State.Running = true
	c.Config.User = "65532:65532"
	c.Config.Labels = map[string]string{"com.docker.compose.service": service}
	c.HostConfig.ReadonlyRootfs = true
	c.HostConfig.CapDrop = append([]string{"CAP_AUDIT_WRITE", "CAP_MKNOD", "CAP_NET_RAW"}, defaultCaps...)
	c.HostConfig.SecurityOpt = []string{"no-new-privileges"}
	c.HostConfig.Memory = 128 << 20
	c.HostConfig.PidsLimit = 128
	return c
}

// Each property, lost alone, is reported; a hardened container passes.
func TestHardeningProblems(t *testing.T) {
	if p := hardeningProblems(hardened("beacon")); len(p) != 0 {
		t.Fatalf("hardened container reported: %v", p)
	}
	gw := hardened("gateway")
	gw.HostConfig.PortBindings = map[string][]struct{ HostIp, HostPort string }{"9000/tcp": {{"127.0.0.1", "9000"}}}
	if p := hardeningProblems(gw); len(p) != 0 {
		t.Fatalf("gateway on loopback reported: %v", p)
	}
	// The observability profile's UIs, on loopback too.
	for svc, port := range map[string]string{"zipkin": "9411", "prometheus": "9090"} {
		c := hardened(svc)
		c.HostConfig.PortBindings = map[string][]struct{ HostIp, HostPort string }{port + "/tcp": {{"127.0.0.1", port}}}
		if p := hardeningProblems(c); len(p) != 0 {
			t.Errorf("%s on loopback reported: %v", svc, p)
		}
		c.HostConfig.PortBindings[port+"/tcp"][0].HostIp = "0.0.0.0"
		if p := strings.Join(hardeningProblems(c), ";"); !strings.Contains(p, "publishes "+port+"/tcp on 0.0.0.0") {
			t.Errorf("%s on every interface: reported %q", svc, p)
		}
	}
	for name, lose := range map[string]func(*inspected){
		"writable":            func(c *inspected) { c.HostConfig.ReadonlyRootfs = false },
		"keeps CAP_SETUID":    func(c *inspected) { c.HostConfig.CapDrop = c.HostConfig.CapDrop[:4] },
		"has capabilities":    func(c *inspected) { c.HostConfig.CapAdd = []string{"CAP_NET_ADMIN"} },
		"may gain privileges": func(c *inspected) { c.HostConfig.SecurityOpt = nil },
		"memory limit 0":      func(c *inspected) { c.HostConfig.Memory = 0 },
		"pid limit 0":         func(c *inspected) { c.HostConfig.PidsLimit = 0 },
		"runs as root":        func(c *inspected) { c.Config.User = "" },
		"publishes 8082/tcp": func(c *inspected) {
			c.HostConfig.PortBindings = map[string][]struct{ HostIp, HostPort string }{"8082/tcp": {{"127.0.0.1", "8082"}}}
		},
		"effective capability": func(c *inspected) { c.EffectiveCaps = []string{"CAP_KILL"} },
	} {
		c := hardened("tracking")
		lose(&c)
		p := strings.Join(hardeningProblems(c), "; ")
		want := name
		if name == "effective capability" {
			want = "has capabilities"
		}
		if !strings.Contains(p, want) {
			t.Errorf("%s: reported %q", name, p)
		}
	}
	gw.HostConfig.PortBindings["9000/tcp"][0].HostIp = "0.0.0.0"
	if p := strings.Join(hardeningProblems(gw), ";"); !strings.Contains(p, "publishes 9000/tcp on 0.0.0.0") {
		t.Errorf("gateway on every interface: reported %q", p)
	}
}
