package main

import (
	"sync"
	"time"

	"github.com/find-peers/find-peers/libs/apikey"
)

// testKeySet is a key set with a write key, a read key and a revoked write
// key, and their tokens.
type testKeySet struct {
	file                   apikey.File
	keys                   *apikey.Keys
	write, read, revoked   string
	writeID, readID, revID string
}

var testKeys = sync.OnceValue(func() testKeySet {
	var s testKeySet
	now := time.Now()
	for _, k := range []struct {
		tok, id *string
		scope   apikey.Scope
	}{{&s.write, &s.writeID, apikey.ScopeWrite}, {&s.read, &s.readID, apikey.ScopeRead}, {&s.revoked, &s.revID, apikey.ScopeWrite}} {
		tok, key, err := apikey.NewKey("test-"+string(k.scope), now, k.scope)
		if err != nil {
			panic(err)
		}
		*k.tok, *k.id = tok, key.ID
		s.file.Keys = append(s.file.Keys, key)
	}
	s.file.Keys[2].Revoked = &now
	s.keys = apikey.NewKeys(s.file)
	return s
})

// openAccess is the access control of the proxy tests: the test keys, open
// reads, no rate limit.
func openAccess() accessConfig {
	return accessConfig{Keys: func() *apikey.Keys { return testKeys().keys }, ReadOpen: true}
}
