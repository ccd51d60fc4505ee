package apikey

import (
	"crypto/subtle"
	"encoding/hex"
	"errors"
)

// Authentication failures. All of them are a 401 to the client; they are
// told apart only for logs and tests, and none contains the token.
var (
	ErrUnknown   = errors.New("unknown API key")
	ErrWrongKey  = errors.New("wrong API key secret")
	ErrRevoked   = errors.New("revoked API key")
	ErrNoKeyFile = errors.New("no API keys are configured")
)

// Keys is an immutable, indexed key set.
type Keys struct {
	byID map[string]Key
}

// NewKeys indexes a parsed key file.
func NewKeys(f File) *Keys {
	k := &Keys{byID: make(map[string]Key, len(f.Keys))}
	for _, key := range f.Keys {
		k.byID[key.ID] = key
	}
	return k
}

// Len is the number of keys, revoked ones included.
func (k *Keys) Len() int { return len(k.byID) }

// dummyHash is compared against when the id is unknown, so an unknown id
// costs the same hashing and comparison as a known one.
var dummyHash = make([]byte, 32)

// compare is the comparison Authenticate uses; a variable so a test can
// prove the constant-time path is taken.
var compare = subtle.ConstantTimeCompare

// Authenticate returns the key a token names when its secret matches and
// the key is not revoked. The secret's SHA-256 is compared with the stored
// one in constant time.
func (k *Keys) Authenticate(token string) (Key, error) {
	id, secret, err := ParseToken(token)
	if err != nil {
		return Key{}, err
	}
	key, known := k.byID[id]
	want := dummyHash
	if known {
		// validated by Parse: 64 hex digits
		want, _ = hex.DecodeString(key.SHA256)
	}
	got, _ := hex.DecodeString(HashSecret(secret))
	match := compare(got, want) == 1
	switch {
	case !known:
		return Key{}, ErrUnknown
	case !match:
		return Key{}, ErrWrongKey
	case key.Revoked != nil:
		return Key{}, ErrRevoked
	}
	return key, nil
}
