package procstack

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/find-peers/find-peers/libs/apikey"
)

// apiKeys is the stack's API key file and the tokens of its two keys.
type apiKeys struct {
	dir, file   string
	write, read string
}

// newAPIKeys writes a fresh key file with a write key and a read-only key
// in a private temporary directory (removed by Stop). The tokens live only
// in this process's memory and in what the caller does with them.
func newAPIKeys() (*apiKeys, error) {
	dir, err := os.MkdirTemp("", "procstack-keys-")
	if err != nil {
		return nil, fmt.Errorf("stack: API key dir: %w", err)
	}
	k := &apiKeys{dir: dir, file: filepath.Join(dir, "api-keys.json")}
	var f apikey.File
	for _, c := range []struct {
		name  string
		scope apikey.Scope
		token *string
	}{{"procstack writer", apikey.ScopeWrite, &k.write}, {"procstack reader", apikey.ScopeRead, &k.read}} {
		token, key, err := apikey.NewKey(c.name, time.Now(), c.scope)
		if err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		*c.token = token
		f.Keys = append(f.Keys, key)
	}
	if err := apikey.Save(k.file, f); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("stack: API key file: %w", err)
	}
	return k, nil
}

// WriteToken is the bearer token of the stack's write key: send it as
// "Authorization: Bearer <token>" with every write through the gateway.
func (s *Stack) WriteToken() string { return s.keys.write }

// ReadToken is the bearer token of the stack's read-only key.
func (s *Stack) ReadToken() string { return s.keys.read }

// APIKeysFile is the gateway's key file; tests may add or revoke keys in
// it (tools/apikey, libs/apikey) and the gateway picks the change up.
func (s *Stack) APIKeysFile() string { return s.keys.file }
