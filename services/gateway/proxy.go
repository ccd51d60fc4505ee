package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/find-peers/find-peers/libs/balance"
	"github.com/find-peers/find-peers/libs/httpx"
)

// upstream is one service behind the gateway.
type upstream struct {
	Name   string   // "beacon-service"; in logs, metrics and error messages
	Prefix string   // "/beacons": this path and everything below it
	URL    *url.URL // base URL: scheme and host (a path is prepended to requests)
}

// transportConfig bounds the gateway's calls to its upstreams.
type transportConfig struct {
	// DialTimeout is short: an upstream that does not accept a connection
	// quickly is down, and the client should hear 503 at once rather than
	// hang for the operating system's connect timeout.
	DialTimeout time.Duration
	// ResponseHeaderTimeout bounds the wait for an answer's headers; bodies
	// (event streams) are not bounded by it.
	ResponseHeaderTimeout time.Duration
	// ResolveInterval is how long the addresses behind an upstream's name
	// are used before the name is looked up again; 0: 5 s.
	ResolveInterval time.Duration
	// Resolve finds those addresses; nil: DNS. Tests answer loopback ones.
	Resolve balance.Resolver
}

// newTransport returns the round tripper shared by all proxies. Each
// request goes to the next replica behind the upstream's name (in
// Kubernetes a headless Service), not to whichever pod a kept-alive
// connection happens to be on; a name with one address (compose, an IP)
// is proxied to as before. Each attempt is a client span whose context
// replaces the caller's traceparent (the caller's trace continues through
// the gateway's spans).
func newTransport(cfg transportConfig) http.RoundTripper {
	// Every client request is a gateway->upstream request: the services'
	// pool (many idle connections per host, no environment proxy).
	t := httpx.NewUpstreamTransport(cfg.DialTimeout)
	t.ResponseHeaderTimeout = cfg.ResponseHeaderTimeout
	return &balance.Transport{Base: httpx.Traced(t), Resolve: cfg.Resolve, Refresh: cfg.ResolveInterval}
}

// newProxy returns the reverse proxy for one upstream.
func newProxy(up upstream, transport http.RoundTripper, errs *prometheus.CounterVec, logger *slog.Logger) *httputil.ReverseProxy {
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(up.URL)
			// Rewrite mode has already dropped the client's X-Forwarded-*:
			// the gateway is the edge, so it states them afresh instead of
			// trusting what clients claim.
			pr.SetXForwarded()
			// The id the RequestID middleware settled on (the client's when
			// sane, else a fresh one) is the one upstreams must log.
			pr.Out.Header.Set(httpx.RequestIDHeader, httpx.RequestIDFrom(pr.In.Context()))
		},
		// Flush every write at once: event streams must not sit in a buffer,
		// and JSON answers lose nothing by it.
		FlushInterval: -1,
		Transport:     transport,
		ModifyResponse: func(resp *http.Response) error {
			// The gateway already answers with the request id; the upstream's
			// copy would be added as a second value.
			resp.Header.Del(httpx.RequestIDHeader)
			return nil
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			status, msg := classifyProxyError(r.Context(), up.Name, err)
			errs.WithLabelValues(up.Name, fmt.Sprint(status)).Inc()
			if status == httpx.StatusClientClosedRequest {
				w.WriteHeader(status) // nobody is listening; logs and metrics still see it
				return
			}
			httpx.LoggerFrom(r.Context()).LogAttrs(r.Context(), slog.LevelWarn, "proxying failed",
				slog.String("upstream", up.Name), slog.Int("status", status), slog.String("error", err.Error()))
			httpx.WriteError(w, status, msg)
		},
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// classifyProxyError maps a failed proxy round trip to the answer:
// connection refused, DNS failure or dial timeout (the upstream is down) 503,
// no answer in time 504, an oversized request body 413, anything else 502.
func classifyProxyError(ctx context.Context, name string, err error) (int, string) {
	var maxBytes *http.MaxBytesError
	var dnsErr *net.DNSError
	var opErr *net.OpError
	var netErr net.Error
	switch {
	case errors.As(err, &maxBytes):
		return http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", maxBytes.Limit)
	case ctx.Err() != nil && errors.Is(err, context.Canceled):
		return httpx.StatusClientClosedRequest, "request canceled"
	case errors.As(err, &dnsErr), errors.As(err, &opErr) && opErr.Op == "dial":
		return http.StatusServiceUnavailable, name + " is unavailable"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return http.StatusGatewayTimeout, name + " timed out"
	default:
		return http.StatusBadGateway, name + " failed"
	}
}
