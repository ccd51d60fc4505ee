package apikey

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// Load reads and parses the key file at path.
func Load(path string) (File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return File{}, err
	}
	defer fh.Close()
	return Parse(fh)
}

// LoadOrEmpty is Load, but a missing file is an empty key set (the CLI's
// first `create`).
func LoadOrEmpty(path string) (File, error) {
	f, err := Load(path)
	if errors.Is(err, fs.ErrNotExist) {
		return File{Keys: []Key{}}, nil
	}
	return f, err
}

// Save writes f to path atomically: a temporary file in the same
// directory, synced, then renamed over path, so a reader (the gateway's
// Store) sees the old file or the new one, never half of one. A new file
// is readable by its owner and group only (0640): it holds hashes, not
// secrets, but there is no reason to publish them; a rewritten file keeps
// its mode (a container's user may read it through a bind mount).
func Save(path string, f File) (err error) {
	data, err := Marshal(f)
	if err != nil {
		return err
	}
	mode := fs.FileMode(0o640)
	if info, err := os.Stat(path); err == nil {
		mode = info.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
