// Package pinned downloads and checks files pinned by their sha256.
package pinned

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
)

// ErrMismatch is the error of a download that is not the pinned file.
var ErrMismatch = errors.New("not the pinned file")

// FileSHA256 is the hex sha256 of the file at path.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Fetch downloads url to path and checks it against sum (hex sha256) and,
// when size > 0, its size. The download goes to path.part, hashed as it is
// written, and becomes path only when whole and pinned: path is never a
// partial or wrong file. A mismatch is ErrMismatch; anything else (the
// network, the server's status) is another error.
func Fetch(client *http.Client, url, path, sum string, size int64) error {
	resp, err := client.Get(url)
	if err != nil {
		return err // names the URL
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	part := path + ".part"
	f, err := os.Create(part)
	if err != nil {
		return err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), resp.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(part)
		return fmt.Errorf("GET %s: %w", url, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sum || (size > 0 && n != size) {
		os.Remove(part)
		return fmt.Errorf("%w: %s has sha256 %s (%d bytes), pinned %s", ErrMismatch, filepath.Base(path), got, n, pinnedDesc(sum, size))
	}
	return os.Rename(part, path)
}

func pinnedDesc(sum string, size int64) string {
	if size > 0 {
		return fmt.Sprintf("%s (%d bytes)", sum, size)
	}
	return sum
}
