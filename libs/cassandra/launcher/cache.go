package launcher

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// CacheEnv overrides the root of the download cache.
const CacheEnv = "FIND_PEERS_CACHE"

// CacheDir returns the directory that holds the jars of Version:
// $FIND_PEERS_CACHE/cassandra/<version> if set, otherwise
// $XDG_CACHE_HOME (or ~/.cache)/find-peers/cassandra/<version>.
func CacheDir() (string, error) {
	if root := os.Getenv(CacheEnv); root != "" {
		return filepath.Join(root, "cassandra", Version), nil
	}
	base := os.Getenv("XDG_CACHE_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("locate cache dir: set %s or HOME: %w", CacheEnv, err)
		}
		base = filepath.Join(home, ".cache")
	}
	return filepath.Join(base, "find-peers", "cassandra", Version), nil
}

// DefaultClusterDir is where a cluster lives unless told otherwise: beside
// the jars, so all local Cassandra state is in one place. The command and the
// Go test helper share it, so a test run reuses a cluster started by hand.
func DefaultClusterDir() (string, error) {
	cache, err := CacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(filepath.Dir(cache), "cluster"), nil
}

// LibDir returns the directory with the verified jars inside cacheDir.
func LibDir(cacheDir string) string { return filepath.Join(cacheDir, "lib") }

// Fetched reports whether cacheDir holds a complete, verified download of the
// current lock file. It only checks the marker written after verification, so
// it is cheap enough to call before every start.
func Fetched(cacheDir string) bool {
	got, err := os.ReadFile(filepath.Join(cacheDir, markerName))
	return err == nil && string(got) == lockDigest()
}

var errNotFetched = errors.New("cassandra jars are not fetched: run `go run ./tools/cassandra fetch` first")
