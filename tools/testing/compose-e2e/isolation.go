package main

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// internalPorts are the ports the stack's containers listen on inside the
// compose network: the three services, Cassandra's CQL, inter-node and JMX
// ports, and the gateway's own port (published on loopback only).
var internalPorts = []int{8081, 8082, 8083, 9042, 7000, 7199, 9000}

// isolationCheck proves that nothing of the stack is reachable from
// outside this host: it connects to every internal port on every
// non-loopback address of the host (what another machine can reach; a
// published port is forwarded from there, whether or not a process
// listens), and each connection must fail. The control: the same dialer
// reaches the gateway on 127.0.0.1:9000, so a failure above is the network
// saying no, not a broken probe. (The hardening check already proves from
// podman's configuration that only the gateway is published, on loopback.)
func isolationCheck(ctx context.Context) error {
	addrs, err := hostAddrs()
	if err != nil {
		return err
	}
	reached, err := probe(ctx, addrs, internalPorts, dialer(time.Second))
	if err != nil {
		return err
	}
	if len(reached) > 0 {
		return fmt.Errorf("reachable from outside the host: %s", strings.Join(reached, ", "))
	}
	fmt.Printf("    %d ports refused on %d host address(es) (%v); 127.0.0.1:9000 answers\n", len(internalPorts), len(addrs), addrs)
	return nil
}

type dialFunc func(ctx context.Context, addr string) error

func dialer(timeout time.Duration) dialFunc {
	return func(ctx context.Context, addr string) error {
		c, err := (&net.Dialer{Timeout: timeout}).DialContext(ctx, "tcp", addr)
		if err == nil {
			c.Close()
		}
		return err
	}
}

// probe dials every port on every address and returns the ones that
// connected; the control (127.0.0.1:9000) must connect first.
func probe(ctx context.Context, addrs []netip.Addr, ports []int, dial dialFunc) ([]string, error) {
	if len(addrs) == 0 {
		return nil, fmt.Errorf("the host has no non-loopback address to probe from")
	}
	if err := dial(ctx, "127.0.0.1:9000"); err != nil {
		return nil, fmt.Errorf("control: the gateway on 127.0.0.1:9000 does not connect: %v", err)
	}
	var reached []string
	for _, a := range addrs {
		for _, p := range ports {
			addr := net.JoinHostPort(a.String(), strconv.Itoa(p))
			if dial(ctx, addr) == nil {
				reached = append(reached, addr)
			}
		}
	}
	return reached, nil
}

// hostAddrs are the host's global unicast addresses (link-local ones need
// a zone and are not routed; loopback is the control).
func hostAddrs() ([]netip.Addr, error) {
	ifaddrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil, err
	}
	var out []netip.Addr
	for _, ia := range ifaddrs {
		p, err := netip.ParsePrefix(ia.String())
		if err != nil {
			continue
		}
		if a := p.Addr().Unmap(); a.IsGlobalUnicast() || a.IsPrivate() {
			out = append(out, a)
		}
	}
	return out, nil
}
