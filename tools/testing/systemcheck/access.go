package systemcheck

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/find-peers/find-peers/libs/apikey"
)

// The access checks run against a deployed gateway whose key file the
// caller can change (compose mounts it from the host): they create keys in
// it, as tools/apikey does, and wait for the gateway to notice.

// PostAs posts a fresh sighting with token as the bearer credential ("" for
// none) and returns the answer's status and headers; the body must be the
// JSON error shape for any error status, and never quote the token.
func (g Gateway) PostAs(ctx context.Context, token string) (int, http.Header, error) {
	body, _ := json.Marshal(NewSighting("Access Check"))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.URL+"/tracking/sightings", strings.NewReader(string(body)))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := g.HTTP.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var e struct{ Error string }
	if resp.StatusCode >= 400 {
		if err := json.NewDecoder(resp.Body).Decode(&e); err != nil || e.Error == "" {
			return resp.StatusCode, resp.Header, fmt.Errorf("status %d without the JSON error shape", resp.StatusCode)
		}
		if strings.Contains(e.Error, apikey.Prefix) {
			return resp.StatusCode, resp.Header, fmt.Errorf("error message quotes a token")
		}
	}
	return resp.StatusCode, resp.Header, nil
}

// expectStatus posts with token and checks the status.
func (g Gateway) expectStatus(ctx context.Context, what, token string, want int) (http.Header, error) {
	got, h, err := g.PostAs(ctx, token)
	if err != nil {
		return h, fmt.Errorf("%s: %w", what, err)
	}
	if got != want {
		return h, fmt.Errorf("%s: status %d, want %d", what, got, want)
	}
	return h, nil
}

// waitStatus posts with token until the status is want (the gateway
// re-reads its key file every few seconds).
func (g Gateway) waitStatus(ctx context.Context, what, token string, want int, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		got, _, err := g.PostAs(ctx, token)
		if err == nil && got == want {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: status %d (%v), want %d within %s", what, got, err, want, within)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// RefusesBadKeys checks what needs no change to the key file (a deployed
// Secret): a write without a credential and one with an unknown key are
// refused with 401, and the same write with g.Token is accepted.
func (g Gateway) RefusesBadKeys(ctx context.Context) error {
	if _, err := g.expectStatus(ctx, "no credential", "", http.StatusUnauthorized); err != nil {
		return err
	}
	unknown, _, _, _ := apikey.NewToken()
	if _, err := g.expectStatus(ctx, "unknown key", unknown, http.StatusUnauthorized); err != nil {
		return err
	}
	_, err := g.expectStatus(ctx, "the write key", g.Token, http.StatusCreated)
	return err
}

// AccessCheck proves the access rules through the deployed gateway: no
// credential 401, an unknown key 401, the read-only key writing 403, a new
// key accepted without a restart and refused once revoked (401), and a key
// with its own small limit answered 429 with Retry-After after its burst.
// keyFile is the gateway's key file as this host sees it.
func (g Gateway) AccessCheck(ctx context.Context, keyFile, readToken string, reload time.Duration) (string, error) {
	if err := g.RefusesBadKeys(ctx); err != nil {
		return "", err
	}
	if h, err := g.expectStatus(ctx, "read-only key writing", readToken, http.StatusForbidden); err != nil {
		return "", err
	} else if !strings.Contains(h.Get("WWW-Authenticate"), "insufficient_scope") {
		return "", fmt.Errorf("403 without the insufficient_scope challenge: %q", h.Get("WWW-Authenticate"))
	}
	token, id, err := AddKey(keyFile, "access check", 0, 0)
	if err != nil {
		return "", err
	}
	if err := g.waitStatus(ctx, "new key", token, http.StatusCreated, reload); err != nil {
		return "", err
	}
	if err := RevokeKey(keyFile, id); err != nil {
		return "", err
	}
	if err := g.waitStatus(ctx, "revoked key", token, http.StatusUnauthorized, reload); err != nil {
		return "", err
	}
	limited, limitedID, err := AddKey(keyFile, "rate limit check", 0.01, 2)
	if err != nil {
		return "", err
	}
	defer RevokeKey(keyFile, limitedID) //nolint:errcheck // best effort: a check key
	if err := g.waitStatus(ctx, "rate-limited key", limited, http.StatusCreated, reload); err != nil {
		return "", err
	}
	if _, err := g.expectStatus(ctx, "second write of the burst", limited, http.StatusCreated); err != nil {
		return "", err
	}
	h, err := g.expectStatus(ctx, "write past the burst", limited, http.StatusTooManyRequests)
	if err != nil {
		return "", err
	}
	secs, err := strconv.Atoi(h.Get("Retry-After"))
	if err != nil || secs < 1 {
		return "", fmt.Errorf("429 with Retry-After %q, want whole seconds >= 1", h.Get("Retry-After"))
	}
	return fmt.Sprintf("no key 401, unknown key 401, read key 403, new key 201 then revoked 401, 429 after a burst of 2 (Retry-After %d s)", secs), nil
}

// AddKey adds a write key to the key file (limit/burst > 0: its own rate
// limit) and returns its token and id.
func AddKey(file, name string, limit float64, burst int) (token, id string, err error) {
	f, err := apikey.Load(file)
	if err != nil {
		return "", "", err
	}
	token, key, err := apikey.NewKey(name, time.Now(), apikey.ScopeWrite)
	if err != nil {
		return "", "", err
	}
	key.RateLimit, key.RateBurst = limit, burst
	f.Keys = append(f.Keys, key)
	return token, key.ID, apikey.Save(file, f)
}

// RevokeKey marks the key id revoked in the key file.
func RevokeKey(file, id string) error {
	f, err := apikey.Load(file)
	if err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Second)
	for i := range f.Keys {
		if f.Keys[i].ID == id && f.Keys[i].Revoked == nil {
			f.Keys[i].Revoked = &now
		}
	}
	return apikey.Save(file, f)
}
