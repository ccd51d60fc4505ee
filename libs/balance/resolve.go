package balance

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"sync"
	"time"
)

// Resolver answers the endpoints (host:port) that hostport stands for: one
// per replica of the service it names. Tests inject their own, which may
// answer loopback addresses with different ports.
type Resolver func(ctx context.Context, hostport string) ([]string, error)

// ErrNoAddresses is an answer without any address; callers treat it as a
// failure (the last known endpoints are kept), since a DNS blip must not cut
// every replica off.
var ErrNoAddresses = errors.New("no addresses")

// HostPort is u's host with the port made explicit (80 or 443 by scheme),
// because every replica is dialed on the URL's port.
func HostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// DNS resolves a host name with r to all its addresses, each with the port
// of hostport; an IP literal is its one endpoint. In Kubernetes the name is
// a headless Service (one address per ready pod), in compose the service
// name (one per container).
func DNS(r *net.Resolver) Resolver {
	return func(ctx context.Context, hostport string) ([]string, error) {
		host, port, err := net.SplitHostPort(hostport)
		if err != nil {
			return nil, err
		}
		if _, err := netip.ParseAddr(host); err == nil {
			return []string{hostport}, nil
		}
		addrs, err := r.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return nil, err
		}
		addrs = oneFamily(addrs)
		if len(addrs) == 0 {
			return nil, &net.DNSError{Err: ErrNoAddresses.Error(), Name: host}
		}
		eps := make([]string, len(addrs))
		for i, a := range addrs {
			eps[i] = net.JoinHostPort(a.String(), port)
		}
		return eps, nil
	}
}

// oneFamily keeps the IPv4 addresses if there are any, else the IPv6 ones:
// on a dual-stack network every replica has one of each, and with both a
// follower of every replica would deliver each event twice and a balancer
// would count each replica twice.
func oneFamily(addrs []netip.Addr) []netip.Addr {
	var v4, v6 []netip.Addr
	for _, a := range addrs {
		if a = a.Unmap(); a.Is4() {
			v4 = append(v4, a)
		} else {
			v6 = append(v6, a)
		}
	}
	if len(v4) > 0 {
		return v4
	}
	return v6
}

// Cached shares resolve's answers between its callers: an answer (or a
// failure) is reused for ttl, and concurrent callers wait for one lookup.
// Without it every caller that re-resolves on its own (each live stream,
// each balanced request) would ask DNS.
func Cached(resolve Resolver, ttl time.Duration) Resolver {
	return newCache(resolve, ttl).Resolve
}

// cache is Cached's state; tests set its clock.
type cache struct {
	resolve Resolver
	ttl     time.Duration
	now     func() time.Time

	mu      sync.Mutex
	answers map[string]cachedAnswer
}

type cachedAnswer struct {
	at  time.Time
	eps []string
	err error
}

func newCache(resolve Resolver, ttl time.Duration) *cache {
	return &cache{resolve: resolve, ttl: ttl, now: time.Now, answers: map[string]cachedAnswer{}}
}

func (c *cache) Resolve(ctx context.Context, hostport string) ([]string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if a, ok := c.answers[hostport]; ok && c.now().Sub(a.at) < c.ttl {
		return slices.Clone(a.eps), a.err
	}
	eps, err := c.resolve(ctx, hostport)
	if ctx.Err() == nil {
		// A lookup cut short by its caller leaving says nothing about DNS.
		c.answers[hostport] = cachedAnswer{at: c.now(), eps: eps, err: err}
	}
	return slices.Clone(eps), err
}
