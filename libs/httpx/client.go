package httpx

import (
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
// bound those with the request context instead.
func NewClient(timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, Transport: &Transport{Base: Traced(NewUpstreamTransport())}}
}

// NewUpstreamTransport returns the connection pool of NewClient's clients,
// for clients that put another RoundTripper (a balancer) between it and
// Transport.
func NewUpstreamTransport() *http.Transport {
	base := http.DefaultTransport.(*http.Transport).Clone()
	// Services call a few upstreams a lot; keep more idle connections per
	// host than the default 2 so bursts do not churn TCP connections.
	base.MaxIdleConnsPerHost = 64
	return base
}
