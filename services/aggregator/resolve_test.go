package main

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"testing"
)

func TestHostPort(t *testing.T) {
	for in, want := range map[string]string{
		"http://tracking-events:8082": "tracking-events:8082",
		"http://tracking":             "tracking:80",
		"https://tracking":            "tracking:443",
		"http://[fd00::1]:8082":       "[fd00::1]:8082",
	} {
		u, _ := url.Parse(in)
		if got := hostPort(u); got != want {
			t.Errorf("hostPort(%s) = %q, want %q", in, got, want)
		}
	}
}

// TestDNSResolverIPLiteral: an address is its one endpoint, with no lookup
// (the resolver's every dial fails).
func TestDNSResolverIPLiteral(t *testing.T) {
	noDNS := &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
		return nil, errors.New("no DNS in this test")
	}}
	resolve := dnsResolver(noDNS)
	for _, hp := range []string{"10.1.2.3:8082", "[fd00::1]:8082"} {
		if eps, err := resolve(t.Context(), hp); err != nil || !slices.Equal(eps, []string{hp}) {
			t.Errorf("resolve(%s) = %v, %v; want itself", hp, eps, err)
		}
	}
	if _, err := resolve(t.Context(), "tracking-events.invalid:8082"); err == nil {
		t.Error("a name resolved without DNS")
	}
}

func TestOneFamily(t *testing.T) {
	p := func(ss ...string) []netip.Addr {
		var as []netip.Addr
		for _, s := range ss {
			as = append(as, netip.MustParseAddr(s))
		}
		return as
	}
	for _, c := range []struct{ in, want []netip.Addr }{
		{p("10.0.0.1", "fd00::1", "10.0.0.2", "fd00::2"), p("10.0.0.1", "10.0.0.2")}, // dual stack: once per replica
		{p("::ffff:10.0.0.1"), p("10.0.0.1")},
		{p("fd00::1", "fd00::2"), p("fd00::1", "fd00::2")},
		{nil, nil},
	} {
		if got := oneFamily(c.in); !slices.Equal(got, c.want) {
			t.Errorf("oneFamily(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}
