package launcher

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
)

// checkFree fails when host:port is taken. Binding (not dialing) is what the
// node will do, so it is the honest test; the listener is closed at once.
func checkFree(host string, port int, what string) error {
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%s port %s is already in use (another Cassandra? try `go run ./tools/cassandra status` or pick --cql-port): %w", what, addr, err)
	}
	return l.Close()
}

// The kernel gives the local end of every outgoing connection (and every
// port-0 listener) a port from its ephemeral range. A node's fixed port
// inside that range can be taken by any such connection in the seconds
// between checkFree and the JVM's bind, and the node then dies with "Port
// already in use": CI lost a 3-node cluster that way to its JMX port 37200.
// checkEphemeral therefore refuses such a port before anything starts, unless
// the port is reserved (net.ipv4.ip_local_reserved_ports), which keeps the
// kernel from handing it out.
const (
	portRangeFile     = "/proc/sys/net/ipv4/ip_local_port_range"
	reservedPortsFile = "/proc/sys/net/ipv4/ip_local_reserved_ports"
)

// portRange is an inclusive range of ports.
type portRange struct{ lo, hi int }

func (r portRange) has(p int) bool { return r.lo <= p && p <= r.hi }

// parsePortRange reads ip_local_port_range: "32768\t60999".
func parsePortRange(s string) (portRange, error) {
	f := strings.Fields(s)
	if len(f) != 2 {
		return portRange{}, fmt.Errorf("want two ports, got %q", s)
	}
	lo, err1 := strconv.Atoi(f[0])
	hi, err2 := strconv.Atoi(f[1])
	if err := errors.Join(err1, err2); err != nil || lo > hi {
		return portRange{}, fmt.Errorf("want two ports, low first, got %q", s)
	}
	return portRange{lo, hi}, nil
}

// parseReserved reads ip_local_reserved_ports: "" or "8080,9000-9010".
func parseReserved(s string) ([]portRange, error) {
	var out []portRange
	for item := range strings.SplitSeq(strings.TrimSpace(s), ",") {
		if item == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(item, "-")
		if !isRange {
			hi = lo
		}
		r, err := parsePortRange(lo + " " + hi)
		if err != nil {
			return nil, fmt.Errorf("reserved ports %q: %w", s, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// kernelPorts reads the running kernel's ephemeral range and reserved ports;
// ok is false where there is no such file (not Linux), and nothing is
// checked there.
func kernelPorts() (ephemeral portRange, reserved []portRange, ok bool, err error) {
	b, err := os.ReadFile(portRangeFile)
	if errors.Is(err, os.ErrNotExist) {
		return portRange{}, nil, false, nil
	}
	if err == nil {
		ephemeral, err = parsePortRange(string(b))
	}
	if err != nil {
		return portRange{}, nil, false, fmt.Errorf("read %s: %w", portRangeFile, err)
	}
	if b, err = os.ReadFile(reservedPortsFile); err == nil {
		reserved, err = parseReserved(string(b))
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return portRange{}, nil, false, fmt.Errorf("read %s: %w", reservedPortsFile, err)
	}
	return ephemeral, reserved, true, nil
}

// outsideEphemeral fails for a port the kernel may hand to an outgoing
// connection: inside ephemeral and not reserved. The message names the fix.
func outsideEphemeral(port int, what string, ephemeral portRange, reserved []portRange) error {
	if !ephemeral.has(port) {
		return nil
	}
	for _, r := range reserved {
		if r.has(port) {
			return nil
		}
	}
	return fmt.Errorf("%s port %d is inside the kernel's ephemeral port range %d-%d (%s), where any outgoing connection may take it before the node binds it: "+
		"pick a port below %d, or reserve it (add %d to net.ipv4.ip_local_reserved_ports)",
		what, port, ephemeral.lo, ephemeral.hi, portRangeFile, ephemeral.lo, port)
}

// nodePort is one port a node binds.
type nodePort struct {
	host, what string
	port       int
}

func (n Node) ports() []nodePort {
	what := func(s string) string { return fmt.Sprintf("node%d %s", n.Index, s) }
	return []nodePort{{n.Host, what("CQL"), n.CQLPort}, {n.Host, what("storage"), n.StoragePort}, {"127.0.0.1", what("JMX"), n.JMXPort}}
}

// checkEphemeral refuses, before anything is fetched or started, every
// node port that the kernel may give to an outgoing connection.
func checkEphemeral(nodes []Node) error {
	ephemeral, reserved, ok, err := kernelPorts()
	if err != nil || !ok {
		return err
	}
	for _, n := range nodes {
		for _, p := range n.ports() {
			if err := outsideEphemeral(p.port, p.what, ephemeral, reserved); err != nil {
				return err
			}
		}
	}
	return nil
}
