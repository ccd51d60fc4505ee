package launcher

import (
	"context"
	"os"
	"runtime"
	"strings"
	"testing"
)

func TestParsePortRange(t *testing.T) {
	r, err := parsePortRange("32768\t60999\n")
	if err != nil || r != (portRange{32768, 60999}) {
		t.Fatalf("parsePortRange = %v, %v", r, err)
	}
	for _, bad := range []string{"", "32768", "a 60999", "60999 32768", "1 2 3"} {
		if _, err := parsePortRange(bad); err == nil {
			t.Errorf("parsePortRange(%q) accepted", bad)
		}
	}
}

func TestParseReserved(t *testing.T) {
	for in, want := range map[string][]portRange{
		"\n":                    nil,
		"8080\n":                {{8080, 8080}},
		"8080,37199-37201\n":    {{8080, 8080}, {37199, 37201}},
		"37200,40000-40010,123": {{37200, 37200}, {40000, 40010}, {123, 123}},
	} {
		got, err := parseReserved(in)
		if err != nil || len(got) != len(want) {
			t.Errorf("parseReserved(%q) = %v, %v; want %v", in, got, err, want)
			continue
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("parseReserved(%q)[%d] = %v, want %v", in, i, got[i], want[i])
			}
		}
	}
	for _, bad := range []string{"x", "9000-", "9010-9000", "1,,2x"} {
		if _, err := parseReserved(bad); err == nil {
			t.Errorf("parseReserved(%q) accepted", bad)
		}
	}
}

func TestOutsideEphemeral(t *testing.T) {
	ephemeral := portRange{32768, 60999}
	reserved := []portRange{{37199, 37201}}
	for _, p := range []int{7199, 19042, 32767, 61000} {
		if err := outsideEphemeral(p, "node1 JMX", ephemeral, nil); err != nil {
			t.Errorf("port %d outside the range refused: %v", p, err)
		}
	}
	for _, p := range []int{37199, 37201} {
		if err := outsideEphemeral(p, "node2 JMX", ephemeral, reserved); err != nil {
			t.Errorf("reserved port %d refused: %v", p, err)
		}
	}
	err := outsideEphemeral(37202, "node2 JMX", ephemeral, reserved)
	if err == nil {
		t.Fatal("port 37202 inside the range accepted")
	}
	for _, want := range []string{"node2 JMX port 37202", "32768-60999", "below 32768", "add 37202 to net.ipv4.ip_local_reserved_ports"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

// Start refuses a port in this kernel's ephemeral range before it fetches,
// writes or starts anything.
func TestStartRefusesEphemeralPort(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the ephemeral range is read from Linux's /proc")
	}
	ephemeral, reserved, ok, err := kernelPorts()
	if err != nil || !ok {
		t.Fatalf("kernelPorts: ok=%t, %v", ok, err)
	}
	port := 0
	for p := ephemeral.lo; p <= ephemeral.hi && port == 0; p++ {
		if outsideEphemeral(p, "", ephemeral, reserved) != nil {
			port = p
		}
	}
	if port == 0 {
		t.Skip("every port of the ephemeral range is reserved here")
	}
	dir := t.TempDir()
	_, err = Start(context.Background(), Options{Nodes: 3, Dir: dir, JMXPort: port - 2, CacheDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "node3 JMX port") || !strings.Contains(err.Error(), "ephemeral") {
		t.Fatalf("Start with node 3's JMX port %d in %v: %v", port, ephemeral, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("Start wrote %d entries into %s before refusing", len(entries), dir)
	}
}
