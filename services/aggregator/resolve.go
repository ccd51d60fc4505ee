package main

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

// resolveFunc answers the endpoints (host:port) that hostport, the host of
// tracking's events URL, stands for: one per tracking replica. Tests inject
// their own, which may answer loopback addresses with different ports.
type resolveFunc func(ctx context.Context, hostport string) ([]string, error)

// errNoAddresses is an answer without any address; it is treated as a
// failure (the last known replicas are kept), since a DNS blip must not cut
// every live stream.
var errNoAddresses = errors.New("no addresses")

// hostPort is u's host with the port made explicit (80 or 443 by scheme),
// because every replica is dialed on the URL's port.
func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// dnsResolver resolves a host name with r to all its addresses, each with
// the port of hostport; an IP literal is its one endpoint. In Kubernetes the
// name is a headless Service (one address per ready pod), in compose the
// service name (one per container).
func dnsResolver(r *net.Resolver) resolveFunc {
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
			return nil, &net.DNSError{Err: errNoAddresses.Error(), Name: host}
		}
		eps := make([]string, len(addrs))
		for i, a := range addrs {
			eps[i] = net.JoinHostPort(a.String(), port)
		}
		return eps, nil
	}
}

// oneFamily keeps the IPv4 addresses if there are any, else the IPv6 ones:
// on a dual-stack network every replica has one of each, and following both
// would deliver each of its sightings twice.
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

// cachedResolver shares answers between live streams: each stream
// re-resolves every interval, and without this every one of them would ask
// DNS. An answer is reused for ttl; concurrent callers wait for one lookup.
type cachedResolver struct {
	resolve resolveFunc
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

func newCachedResolver(resolve resolveFunc, ttl time.Duration) *cachedResolver {
	return &cachedResolver{resolve: resolve, ttl: ttl, now: time.Now, answers: map[string]cachedAnswer{}}
}

func (c *cachedResolver) Resolve(ctx context.Context, hostport string) ([]string, error) {
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
