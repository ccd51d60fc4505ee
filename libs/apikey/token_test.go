package apikey

import (
	"strings"
	"testing"
	"time"
)

func TestNewTokenParses(t *testing.T) {
	token, id, hash, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(token, Prefix+id+"_") {
		t.Fatalf("token does not read fpk_<id>_...: id %s", id)
	}
	gotID, secret, err := ParseToken(token)
	if err != nil || gotID != id {
		t.Fatalf("ParseToken = %q, %v; want id %s", gotID, err, id)
	}
	if HashSecret(secret) != hash || strings.Contains(hash, secret) {
		t.Error("hash is not the SHA-256 of the secret")
	}
	other, _, _, _ := NewToken()
	if other == token {
		t.Error("two tokens are equal")
	}
}

func TestParseTokenRejects(t *testing.T) {
	good, _, _, _ := NewToken()
	for _, tok := range []string{
		"", "fpk_", "Bearer " + good, good + "x", good[:len(good)-1],
		strings.Replace(good, "fpk_", "fpx_", 1),
		strings.ToUpper(good[:20]) + good[20:],           // id must be lowercase hex
		good[:len(good)-1] + "=",                         // not base64url
		"fpk_0123456789abcdef" + strings.Repeat("A", 43), // missing separator
	} {
		if _, _, err := ParseToken(tok); err != ErrMalformed {
			t.Errorf("ParseToken(%q) = %v, want ErrMalformed", tok, err)
		}
	}
}

func TestNewKeyValidates(t *testing.T) {
	if _, _, err := NewKey("", time.Now(), ScopeRead); err == nil {
		t.Error("blank name accepted")
	}
	if _, _, err := NewKey("ci", time.Now(), "admin"); err == nil || !strings.Contains(err.Error(), "scopes") {
		t.Errorf("unknown scope: %v", err)
	}
	token, key, err := NewKey("ci", time.Now(), ScopeWrite)
	if err != nil {
		t.Fatal(err)
	}
	if !key.Allows(ScopeRead) || !key.Allows(ScopeWrite) {
		t.Error("write does not imply read")
	}
	if strings.Contains(key.SHA256, token) || strings.Contains(token, key.SHA256) {
		t.Error("hash and token overlap")
	}
	read := Key{Scopes: []Scope{ScopeRead}}
	if read.Allows(ScopeWrite) {
		t.Error("read-only key allows write")
	}
}
