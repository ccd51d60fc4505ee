package balance

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"testing"
	"time"
)

func TestHostPort(t *testing.T) {
	for in, want := range map[string]string{
		"http://tracking-events:8082": "tracking-events:8082",
		"http://tracking":             "tracking:80",
		"https://tracking":            "tracking:443",
		"http://[fd00::1]:8082":       "[fd00::1]:8082",
	} {
		u, _ := url.Parse(in)
		if got := HostPort(u); got != want {
			t.Errorf("HostPort(%s) = %q, want %q", in, got, want)
		}
	}
}

// TestDNSIPLiteral: an address is its one endpoint, with no lookup
// (the resolver's every dial fails).
func TestDNSIPLiteral(t *testing.T) {
	noDNS := &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
		return nil, errors.New("no DNS in this test")
	}}
	resolve := DNS(noDNS)
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

func TestCachedSharesAnswers(t *testing.T) {
	res := &fakeResolver{}
	res.set(nil, "10.0.0.1:8082")
	now := time.Unix(0, 0)
	c := newCache(res.Resolve, time.Second)
	c.now = func() time.Time { return now }
	for range 3 {
		if eps, err := c.Resolve(t.Context(), trackingName); err != nil || !slices.Equal(eps, []string{"10.0.0.1:8082"}) {
			t.Fatalf("Resolve = %v, %v", eps, err)
		}
	}
	if n := res.lookups(); n != 1 {
		t.Fatalf("%d lookups within the ttl, want 1", n)
	}
	now = now.Add(time.Second)
	res.set(errors.New("dns down"))
	if _, err := c.Resolve(t.Context(), trackingName); err == nil || res.lookups() != 2 {
		t.Fatalf("after the ttl: err %v, %d lookups; want the new failure, 2", err, res.lookups())
	}
	// A lookup whose caller left is not cached.
	now = now.Add(time.Second)
	gone, cancel := context.WithCancel(t.Context())
	cancel()
	c.Resolve(gone, trackingName)
	c.Resolve(t.Context(), trackingName)
	if n := res.lookups(); n != 4 {
		t.Fatalf("%d lookups, want 4 (a cancelled lookup is not reused)", n)
	}
}
