package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// devKeys are the compose stack's dev API keys (tools/lib/stack-lib.sh
// ensure_dev_keys): the key file the gateway mounts, and the tokens.
type devKeys struct {
	file        string
	write, read string
}

// loadDevKeys reads the tokens stack-up stored under dir. FIND_PEERS_API_KEY,
// when set, replaces the write token (a key made by hand).
func loadDevKeys(dir string) (devKeys, error) {
	k := devKeys{file: filepath.Join(dir, "gateway", "keys.json")}
	if _, err := os.Stat(k.file); err != nil {
		return k, fmt.Errorf("the gateway's key file: %w", err)
	}
	for _, t := range []struct {
		name string
		dst  *string
	}{{"dev-write.token", &k.write}, {"dev-read.token", &k.read}} {
		b, err := os.ReadFile(filepath.Join(dir, "tokens", t.name))
		if err != nil {
			return k, err
		}
		*t.dst = strings.TrimSpace(string(b))
	}
	if v := os.Getenv("FIND_PEERS_API_KEY"); v != "" {
		k.write = v
	}
	fmt.Printf("    key file %s; write and read tokens from %s\n", k.file, filepath.Join(dir, "tokens"))
	return k, nil
}

// cacheDir is tools/lib/stack-lib.sh's cache: FIND_PEERS_CACHE, else
// XDG_CACHE_HOME/find-peers, else ~/.cache/find-peers.
func cacheDir() string {
	if d := os.Getenv("FIND_PEERS_CACHE"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "find-peers")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "find-peers")
}
