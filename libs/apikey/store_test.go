package apikey

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/find-peers/find-peers/libs/logtest"
)

// TestStoreReloadsWithoutRestart revokes and adds keys in the file while a
// Store watches it, and breaks the file: the last good set stays.
func TestStoreReloadsWithoutRestart(t *testing.T) {
	f, tokens := testKeys(t)
	path := filepath.Join(t.TempDir(), "keys.json")
	if err := Save(path, f); err != nil {
		t.Fatal(err)
	}
	var logs logtest.Buffer
	store, err := NewStore(path, slog.New(slog.NewJSONHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	tick := make(chan time.Time)
	hup := make(chan os.Signal)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { store.watch(ctx, tick, hup); close(done) }()
	defer func() { cancel(); <-done }()

	if _, err := store.Keys().Authenticate(tokens["writer"]); err != nil {
		t.Fatal(err)
	}
	// Revoke the writer and add a key: seen on the next poll.
	now := time.Now().UTC()
	f.Keys[0].Revoked = &now
	newToken, newKey, _ := NewKey("new", now, ScopeRead)
	f.Keys = append(f.Keys, newKey)
	if err := Save(path, f); err != nil {
		t.Fatal(err)
	}
	tick <- now
	tick <- now // the second send returns once the first poll is done
	if _, err := store.Keys().Authenticate(tokens["writer"]); !errors.Is(err, ErrRevoked) {
		t.Errorf("revoked key: %v", err)
	}
	if _, err := store.Keys().Authenticate(newToken); err != nil {
		t.Errorf("new key: %v", err)
	}

	// A broken file keeps the last good keys and is logged without hashes.
	if err := os.WriteFile(path, []byte(`{"keys":[{"id":"`+f.Keys[1].SHA256+`"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	hup <- os.Interrupt
	tick <- now
	if _, err := store.Keys().Authenticate(newToken); err != nil {
		t.Errorf("after a broken file: %v", err)
	}
	out := logs.String()
	if !strings.Contains(out, "not reloaded") {
		t.Errorf("broken file not logged: %s", out)
	}
	for name, tok := range tokens {
		_, secret, _ := ParseToken(tok)
		if strings.Contains(out, secret) || strings.Contains(out, HashSecret(secret)) {
			t.Errorf("log holds the %s key's secret or hash: %s", name, out)
		}
	}
}

func TestNewStoreFailsOnBadFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.json")
	if _, err := NewStore(path, slog.New(slog.DiscardHandler)); err == nil {
		t.Error("missing file accepted")
	}
	_ = os.WriteFile(path, []byte(`{"keys":[{}]}`), 0o600)
	if _, err := NewStore(path, slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), "keys[0].id") {
		t.Errorf("bad file: %v", err)
	}
}

// TestStoreReloadsOnSIGHUP sends the process a real SIGHUP: the file is
// re-read at once although the poll is an hour away.
func TestStoreReloadsOnSIGHUP(t *testing.T) {
	f, _ := testKeys(t)
	path := filepath.Join(t.TempDir(), "keys.json")
	if err := Save(path, f); err != nil {
		t.Fatal(err)
	}
	store, err := NewStore(path, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	store.Start(t.Context(), time.Hour)
	token, key, _ := NewKey("after hup", time.Now(), ScopeRead)
	f.Keys = append(f.Keys, key)
	if err := Save(path, f); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := store.Keys().Authenticate(token); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the key added before SIGHUP is not accepted within 5 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
