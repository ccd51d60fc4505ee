package apikey

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// DefaultPoll is how often Watch looks at the key file.
const DefaultPoll = 2 * time.Second

// Store holds the current key set of a key file and replaces it when the
// file changes, so keys are created and revoked without a restart. A file
// that no longer parses keeps the last good key set (failing open to "no
// keys" would lock every client out on a typo; failing to the old set
// keeps revocations made before it) and is logged, without any hash.
type Store struct {
	path   string
	logger *slog.Logger
	keys   atomic.Pointer[Keys]

	mu   sync.Mutex // serialises reloads and guards seen
	seen os.FileInfo
}

// NewStore loads path; a file that cannot be read or parsed at start is an
// error (the gateway refuses to start rather than run with no keys).
func NewStore(path string, logger *slog.Logger) (*Store, error) {
	s := &Store{path: path, logger: logger}
	if err := s.Reload(); err != nil {
		return nil, err
	}
	return s, nil
}

// Path is the key file's path.
func (s *Store) Path() string { return s.path }

// Keys is the current key set.
func (s *Store) Keys() *Keys { return s.keys.Load() }

// Reload reads the file now. On error the current keys stay.
func (s *Store) Reload() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	info, err := os.Stat(s.path)
	if err != nil {
		return err
	}
	f, err := Load(s.path)
	if err != nil {
		return err
	}
	s.seen = info
	s.keys.Store(NewKeys(f))
	return nil
}

// changed reports whether the file looks different from the last load:
// another inode (the CLI renames a new file over it; Kubernetes swaps a
// symlink), another size or another modification time.
func (s *Store) changed() bool {
	info, err := os.Stat(s.path)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil || s.seen == nil {
		return true
	}
	return !os.SameFile(info, s.seen) || info.Size() != s.seen.Size() || !info.ModTime().Equal(s.seen.ModTime())
}

// Start reloads the file when it changes (checked every poll) and on
// SIGHUP, in the background until ctx ends. SIGHUP is caught from the
// moment Start returns (its default action would end the process).
func (s *Store) Start(ctx context.Context, poll time.Duration) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	tick := time.NewTicker(poll)
	go func() {
		defer signal.Stop(hup)
		defer tick.Stop()
		s.watch(ctx, tick.C, hup)
	}()
}

func (s *Store) watch(ctx context.Context, tick <-chan time.Time, hup <-chan os.Signal) {
	failing := false
	for {
		force := false
		select {
		case <-ctx.Done():
			return
		case <-tick:
		case <-hup:
			force = true
		}
		if !force && !s.changed() && !failing {
			continue
		}
		if err := s.Reload(); err != nil {
			// Logged once per failure streak, not every poll; err comes
			// from os or Parse, which never quote a hash or a secret.
			if !failing || force {
				s.logger.Error("API key file not reloaded; keeping the previous keys", "file", s.path, "error", err)
			}
			failing = true
			continue
		}
		failing = false
		s.logger.Info("API key file reloaded", "file", s.path, "keys", s.Keys().Len())
	}
}
