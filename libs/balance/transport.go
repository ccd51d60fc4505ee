// Package balance spreads a client's requests over every replica of the
// service a URL names: client-side load balancing over a name that resolves
// to one address per replica (a Kubernetes headless Service), as gRPC's
// round_robin or Envoy do. Behind a ClusterIP Service kube-proxy picks a pod
// per connection, and a keep-alive client with one or two connections sends
// everything to one or two pods however many there are.
//
// Where a name resolves to one address (compose, an IP literal) a Transport
// sends every request there, as a plain transport would.
package balance

import (
	"context"
	"errors"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"
)

const (
	// DefaultRefresh is Transport.Refresh's default: CoreDNS's TTL for a
	// headless Service.
	DefaultRefresh = 5 * time.Second
	// DefaultCooldown is Transport.Cooldown's default.
	DefaultCooldown = 5 * time.Second
	// lookupTimeout bounds a background lookup; a DNS server that takes
	// longer is as good as down, and the last answer stays in use.
	lookupTimeout = 5 * time.Second
)

// Transport is an http.RoundTripper that resolves each request's host to
// its endpoints and sends the request to the next one, round robin. The URL
// keeps its name in the Host header (and so in the servers' logs); only the
// address dialed changes.
//
// A request that could not even connect (a dial error: a pod that just went
// away) and whose body was not read at all is sent to the next endpoint,
// each endpoint at most once, and the failed one is passed over for
// Cooldown; when every endpoint known failed so, the name is looked up
// again at once and the new endpoints are tried. Nothing else is retried: a
// request that may have reached a server is never sent twice.
//
// The zero value balances with the system's DNS resolver. Answers are
// looked up again after Refresh in the background, the last answer serving
// meanwhile, so a slow or failing DNS server delays no request once a name
// has been resolved.
type Transport struct {
	// Base sends each request to the endpoint chosen; nil:
	// http.DefaultTransport.
	Base http.RoundTripper
	// Resolve answers a host:port's endpoints; nil: DNS(net.DefaultResolver).
	// Its answers are cached for Refresh.
	Resolve Resolver
	// Refresh is how long an answer is used before the name is looked up
	// again; 0: DefaultRefresh.
	Refresh time.Duration
	// Cooldown is how long an endpoint that could not be dialed is passed
	// over (unless every endpoint is); 0: DefaultCooldown.
	Cooldown time.Duration

	once   sync.Once
	lookup Resolver // cached
	direct Resolver // not cached: when every known endpoint refused
	mu     sync.Mutex
	hosts  map[string]*host
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.once.Do(t.init)
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	// TLS would verify the address dialed instead of the name; the
	// services talk plain HTTP inside the cluster.
	if req.URL.Scheme != "http" {
		return base.RoundTrip(req)
	}
	hostport := HostPort(req.URL)
	h, plan := t.plan(req.Context(), hostport)
	if len(plan) == 0 {
		// Never resolved: the base transport dials the name itself and
		// reports what is wrong with it, as it would without balancing.
		return base.RoundTrip(req)
	}
	var body *heldBody
	if req.Body != nil && req.Body != http.NoBody {
		body = holdBody(req.Body)
		defer body.release()
	}
	asked := false
	for i := 0; ; i++ {
		resp, err := base.RoundTrip(to(req, plan[i], body))
		if err == nil || !dialFailed(err) {
			return resp, err
		}
		h.failed(plan[i], time.Now().Add(t.cooldown()))
		if req.Context().Err() != nil || (body != nil && !body.untouched()) {
			return nil, err
		}
		if i == len(plan)-1 {
			// Every endpoint known refused: the replicas may have been
			// replaced (a restarted container or pod has a new address)
			// since the last answer. Ask now, once, rather than fail
			// until the next refresh.
			if asked {
				return nil, err
			}
			asked = true
			plan = append(plan, t.moved(req.Context(), h, hostport, plan)...)
			if i == len(plan)-1 {
				return nil, err
			}
		}
	}
}

// moved looks hostport up at once, past the cache, and returns the
// endpoints of the answer that are not in tried.
func (t *Transport) moved(ctx context.Context, h *host, hostport string, tried []string) []string {
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	eps, err := t.direct(ctx, hostport)
	if err != nil || len(eps) == 0 {
		return nil
	}
	h.learn(time.Now(), eps, nil)
	var fresh []string
	for _, ep := range eps {
		if !slices.Contains(tried, ep) && !slices.Contains(fresh, ep) {
			fresh = append(fresh, ep)
		}
	}
	return fresh
}

func (t *Transport) init() {
	resolve := t.Resolve
	if resolve == nil {
		resolve = DNS(net.DefaultResolver)
	}
	t.direct = resolve
	t.lookup = Cached(resolve, t.refresh())
	t.hosts = map[string]*host{}
}

// plan returns hostport's state and the endpoints one request tries, in
// order; none when the name was never resolved.
func (t *Transport) plan(ctx context.Context, hostport string) (*host, []string) {
	h := t.host(hostport)
	known, lookUp := h.known(time.Now(), t.refresh())
	switch {
	case !known:
		// The first request waits for the answer (concurrent ones share
		// the lookup, and a failure is cached for Refresh too).
		eps, err := t.lookup(ctx, hostport)
		if ctx.Err() == nil {
			h.learn(time.Now(), eps, err)
		}
	case lookUp:
		go t.refreshHost(h, hostport)
	}
	return h, h.plan(time.Now())
}

// refreshHost looks hostport up again, for the requests still to come.
func (t *Transport) refreshHost(h *host, hostport string) {
	ctx, cancel := context.WithTimeout(context.Background(), lookupTimeout)
	defer cancel()
	eps, err := t.lookup(ctx, hostport)
	h.learn(time.Now(), eps, err)
}

func (t *Transport) host(hostport string) *host {
	t.mu.Lock()
	defer t.mu.Unlock()
	h, ok := t.hosts[hostport]
	if !ok {
		h = newHost()
		t.hosts[hostport] = h
	}
	return h
}

func (t *Transport) refresh() time.Duration {
	if t.Refresh > 0 {
		return t.Refresh
	}
	return DefaultRefresh
}

func (t *Transport) cooldown() time.Duration {
	if t.Cooldown > 0 {
		return t.Cooldown
	}
	return DefaultCooldown
}

// to is req addressed to endpoint ep, with the original name as its Host.
func to(req *http.Request, ep string, body *heldBody) *http.Request {
	out := req.Clone(req.Context())
	out.URL.Host = ep
	if out.Host == "" {
		out.Host = req.URL.Host
	}
	if body != nil {
		out.Body = body
	}
	return out
}

// dialFailed says that the connection was never made, so the server saw
// nothing of the request (connection refused, no route, dial timeout).
func dialFailed(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}
