package httpx

import (
	"net"
	"net/http"
	"time"
)

// Transport is an http.RoundTripper that forwards the request id found in the
// outgoing request's context as X-Request-Id, so one id follows a request
// through every service it touches. An explicit header on the request wins.
type Transport struct {
	// Base does the actual round trip; nil means http.DefaultTransport.
	Base http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	if id := RequestIDFrom(req.Context()); id != "" && req.Header.Get(RequestIDHeader) == "" {
		// RoundTrippers must not modify the caller's request.
		req = req.Clone(req.Context())
		req.Header.Set(RequestIDHeader, id)
	}
	return base.RoundTrip(req)
}

// NewClient returns an http.Client that forwards request ids and the trace
// context (a client span per request, Traced) and gives up after timeout
// (0 = no overall timeout). Use 0 for long-lived streams such as
// server-sent events, whose bodies are read for as long as the stream lives;
// bound those with the request context instead. It dials with
// DefaultDialTimeout.
func NewClient(timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, Transport: &Transport{Base: Traced(NewUpstreamTransport(0))}}
}

// DefaultDialTimeout bounds a connect to an upstream. Inside a cluster a
// connect takes well under a millisecond, and 2 s still covers one lost
// SYN (retransmitted after 1 s). An address whose container or pod is gone
// does not refuse: its SYNs go unanswered, and without this bound a dial
// would hang for the operating system's minutes-long connect timeout, so
// every call on a stale address would run into its own deadline instead of
// failing as a dial error that a balancer (libs/balance) can move past.
const DefaultDialTimeout = 2 * time.Second

// NewUpstreamTransport returns the connection pool of NewClient's clients,
// for clients that put another RoundTripper (a balancer, a reverse proxy)
// between it and Transport. Connects give up after dialTimeout (0:
// DefaultDialTimeout) with a *net.OpError whose Op is "dial".
func NewUpstreamTransport(dialTimeout time.Duration) *http.Transport {
	if dialTimeout <= 0 {
		dialTimeout = DefaultDialTimeout
	}
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.DialContext = (&net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}).DialContext
	// Services call a few upstreams a lot; keep more idle connections per
	// host than the default 2 so bursts do not churn TCP connections.
	base.MaxIdleConnsPerHost = 64
	// Calls between services never go through a proxy named in the
	// environment (HTTP_PROXY is for the way out, not the way in).
	base.Proxy = nil
	return base
}
