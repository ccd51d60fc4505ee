package apikey

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"time"
)

// Prefix starts every token; it makes leaked tokens easy to find with a
// secret scanner and tells them apart from other credentials.
const Prefix = "fpk_"

const (
	idBytes     = 8  // 16 hex digits: names the key, not secret
	secretBytes = 32 // 256 bits from crypto/rand
)

var enc = base64.RawURLEncoding

// secretLen is the length of an encoded secret.
var secretLen = enc.EncodedLen(secretBytes)

// ErrMalformed is returned for a token that is not fpk_<id>_<secret>. Its
// text never contains the token.
var ErrMalformed = errors.New("malformed API key")

// NewToken returns a fresh token, its key id and the hex SHA-256 of its
// secret (what the key file stores).
func NewToken() (token, id, hash string, err error) {
	raw := make([]byte, idBytes+secretBytes)
	if _, err := rand.Read(raw); err != nil {
		return "", "", "", err
	}
	id = hex.EncodeToString(raw[:idBytes])
	secret := enc.EncodeToString(raw[idBytes:])
	return Prefix + id + "_" + secret, id, HashSecret(secret), nil
}

// HashSecret returns the hex SHA-256 of a token's secret part.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// ParseToken splits a token into its key id and secret. It checks the
// shape only; Keys.Authenticate checks the secret.
func ParseToken(token string) (id, secret string, err error) {
	rest, ok := strings.CutPrefix(token, Prefix)
	if !ok {
		return "", "", ErrMalformed
	}
	id, secret, ok = strings.Cut(rest, "_")
	if !ok || !ValidID(id) || len(secret) != secretLen {
		return "", "", ErrMalformed
	}
	if b, err := enc.DecodeString(secret); err != nil || len(b) != secretBytes {
		return "", "", ErrMalformed
	}
	return id, secret, nil
}

// ValidID reports whether id is a key id: 16 lowercase hex digits.
func ValidID(id string) bool {
	if len(id) != 2*idBytes {
		return false
	}
	for _, c := range id {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// NewKey creates a key named name with scopes, created now, and returns it
// with its token: the only moment the token exists in clear.
func NewKey(name string, now time.Time, scopes ...Scope) (token string, key Key, err error) {
	token, id, hash, err := NewToken()
	if err != nil {
		return "", Key{}, err
	}
	key = Key{ID: id, Name: name, Scopes: scopes, SHA256: hash, Created: now.UTC().Truncate(time.Second)}
	if err := key.validate(); err != nil {
		return "", Key{}, err
	}
	return token, key, nil
}
