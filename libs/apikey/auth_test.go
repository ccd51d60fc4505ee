package apikey

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// testKeys returns a key set with a writer, a reader and a revoked key,
// and their tokens.
func testKeys(t *testing.T) (File, map[string]string) {
	t.Helper()
	tokens := map[string]string{}
	var f File
	for _, k := range []struct {
		name    string
		scope   Scope
		revoked bool
	}{{"writer", ScopeWrite, false}, {"reader", ScopeRead, false}, {"old", ScopeWrite, true}} {
		token, key, err := NewKey(k.name, time.Now(), k.scope)
		if err != nil {
			t.Fatal(err)
		}
		if k.revoked {
			now := time.Now().UTC()
			key.Revoked = &now
		}
		tokens[k.name] = token
		f.Keys = append(f.Keys, key)
	}
	return f, tokens
}

func TestAuthenticate(t *testing.T) {
	f, tokens := testKeys(t)
	keys := NewKeys(f)
	unknown, _, _, _ := NewToken()
	// The writer's id with another key's secret: known id, wrong secret.
	wrong := tokens["writer"][:len(Prefix)+16] + tokens["reader"][len(Prefix)+16:]
	for _, c := range []struct {
		token string
		want  error
		name  string
	}{
		{tokens["writer"], nil, "writer"},
		{tokens["reader"], nil, "reader"},
		{tokens["old"], ErrRevoked, ""},
		{unknown, ErrUnknown, ""},
		{wrong, ErrWrongKey, ""},
		{"garbage", ErrMalformed, ""},
		{"", ErrMalformed, ""},
	} {
		key, err := keys.Authenticate(c.token)
		if !errors.Is(err, c.want) || key.Name != c.name {
			t.Errorf("Authenticate(%.12s...) = %q, %v; want %q, %v", c.token, key.Name, err, c.name, c.want)
		}
		if err != nil && strings.Contains(err.Error(), c.token) && c.token != "" {
			t.Errorf("error %q quotes the token", err)
		}
	}
}

// TestAuthenticateComparesInConstantTime proves every verdict, unknown ids
// included, goes through the constant-time comparison of 32-byte hashes.
func TestAuthenticateComparesInConstantTime(t *testing.T) {
	f, tokens := testKeys(t)
	keys := NewKeys(f)
	calls := 0
	orig := compare
	t.Cleanup(func() { compare = orig })
	compare = func(a, b []byte) int {
		calls++
		if len(a) != 32 || len(b) != 32 {
			t.Errorf("compared %d and %d bytes, want two SHA-256 sums", len(a), len(b))
		}
		return orig(a, b)
	}
	unknown, _, _, _ := NewToken()
	for _, tok := range []string{tokens["writer"], tokens["old"], unknown} {
		_, _ = keys.Authenticate(tok)
	}
	if calls != 3 {
		t.Errorf("constant-time compare called %d times, want 3", calls)
	}
}
