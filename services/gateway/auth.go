package main

import (
	"errors"
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/find-peers/find-peers/libs/apikey"
	"github.com/find-peers/find-peers/libs/httpx"
)

// accessConfig is the gateway's API access control (see main.go flags and
// docs/SECURITY.md).
type accessConfig struct {
	// Keys returns the current key set; nil (no -api-keys-file) refuses
	// every write: secure by default.
	Keys func() *apikey.Keys
	// ReadOpen lets GET/HEAD API requests through without a key
	// (-read-access open); a key that is sent is still checked.
	ReadOpen bool
	// WriteOpen lets every other API request through without a key
	// (-write-access open): for a gateway behind a proxy that already
	// authenticates, and for measuring what keys cost. Off by default.
	WriteOpen bool
	Limits    limitConfig
}

// realm is the WWW-Authenticate realm (RFC 6750 section 3).
const realm = `Bearer realm="find-peers"`

// authOutcomes counts access decisions. The only label is the outcome:
// key ids and names would be a time series per key, and never a secret.
var authOutcomes = []string{"ok", "anonymous", "unauthenticated", "forbidden", "rate_limited"}

// authorizer checks every API request (the proxied prefixes) before it is
// proxied. The web page and the operational endpoints are not behind it.
type authorizer struct {
	cfg      accessConfig
	limits   *limiters
	outcomes *prometheus.CounterVec
}

func newAuthorizer(cfg accessConfig, reg prometheus.Registerer) *authorizer {
	outcomes := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gateway_auth_requests_total",
		Help: "API requests by access-control outcome (ok, anonymous, unauthenticated, forbidden, rate_limited).",
	}, []string{"outcome"})
	reg.MustRegister(outcomes)
	for _, o := range authOutcomes {
		outcomes.WithLabelValues(o) // export zeros: alerts see the series from the start
	}
	return &authorizer{cfg: cfg, limits: newLimiters(cfg.Limits), outcomes: outcomes}
}

// requiredScope is what a request needs: reads (GET, HEAD, including the
// event streams) need read; every other method writes.
func requiredScope(r *http.Request) apikey.Scope {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return apikey.ScopeRead
	}
	return apikey.ScopeWrite
}

// wrap returns next behind the access check.
func (a *authorizer) wrap(next http.Handler) http.Handler {
	return httpx.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		outcome, err := a.check(w, r)
		a.outcomes.WithLabelValues(outcome).Inc()
		if err != nil {
			return err
		}
		// The upstreams need no credential: not forwarding it keeps it out
		// of every internal service and its logs.
		r.Header.Del("Authorization")
		next.ServeHTTP(w, r)
		return nil
	})
}

// check decides one request and returns its outcome label and, when it is
// refused, the error to answer (headers already set).
func (a *authorizer) check(w http.ResponseWriter, r *http.Request) (string, error) {
	scope := requiredScope(r)
	token, sent, malformed := bearerToken(r)
	if !sent {
		if (scope == apikey.ScopeRead && a.cfg.ReadOpen) || (scope == apikey.ScopeWrite && a.cfg.WriteOpen) {
			return a.limit(w, "ip:"+clientIP(r), 0, 0, "anonymous")
		}
		return a.unauthenticated(w, r, "", a.missingMsg(scope))
	}
	keys := a.currentKeys()
	if keys == nil {
		return a.unauthenticated(w, r, `, error="invalid_token"`, "API key rejected: no API keys are configured on this gateway")
	}
	if malformed {
		return a.unauthenticated(w, r, `, error="invalid_request"`, "malformed Authorization header: want \"Bearer <API key>\"")
	}
	key, err := keys.Authenticate(token)
	if err != nil {
		httpx.LoggerFrom(r.Context()).Debug("API key rejected", "reason", reason(err))
		return a.unauthenticated(w, r, `, error="invalid_token"`, "invalid or revoked API key")
	}
	if !key.Allows(scope) {
		w.Header().Set("WWW-Authenticate", realm+`, error="insufficient_scope", scope="`+string(scope)+`"`)
		return "forbidden", httpx.Errorf(http.StatusForbidden, "this API key lacks the %s scope", scope)
	}
	return a.limit(w, "key:"+key.ID, key.RateLimit, key.RateBurst, "ok")
}

func (a *authorizer) currentKeys() *apikey.Keys {
	if a.cfg.Keys == nil {
		return nil
	}
	return a.cfg.Keys()
}

// missingMsg says why a request without a key is refused.
func (a *authorizer) missingMsg(scope apikey.Scope) string {
	if a.currentKeys() == nil && scope == apikey.ScopeWrite {
		return "API key required, but no API keys are configured on this gateway: writes are disabled (see -api-keys-file)"
	}
	return "API key required: send Authorization: Bearer <API key>"
}

// unauthenticated answers 401. Failed attempts count against the client
// address's rate limit, so guessing keys is as slow as any anonymous use.
func (a *authorizer) unauthenticated(w http.ResponseWriter, r *http.Request, params, msg string) (string, error) {
	if outcome, err := a.limit(w, "ip:"+clientIP(r), 0, 0, ""); err != nil {
		return outcome, err
	}
	w.Header().Set("WWW-Authenticate", realm+params)
	return "unauthenticated", httpx.Errorf(http.StatusUnauthorized, "%s", msg)
}

// bearerToken extracts the token of an "Authorization: Bearer <token>"
// header (scheme case-insensitive, RFC 9110 section 11.1). sent reports a
// header was there at all; malformed that it was not a bearer credential.
func bearerToken(r *http.Request) (token string, sent, malformed bool) {
	values := r.Header.Values("Authorization")
	if len(values) == 0 {
		return "", false, false
	}
	if len(values) > 1 {
		return "", true, true
	}
	scheme, token, ok := strings.Cut(values[0], " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", true, true
	}
	token = strings.TrimLeft(token, " ")
	return token, true, token == ""
}

// reason names an authentication failure for the debug log; never the
// token.
func reason(err error) string {
	for _, e := range []error{apikey.ErrMalformed, apikey.ErrUnknown, apikey.ErrWrongKey, apikey.ErrRevoked} {
		if errors.Is(err, e) {
			return e.Error()
		}
	}
	return "unknown failure"
}
