package pinned

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFetch(t *testing.T) {
	body := "the pinned bytes"
	h := sha256.Sum256([]byte(body))
	sum := hex.EncodeToString(h[:])
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/f" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(body))
	}))
	defer srv.Close()
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "f")

	if err := Fetch(srv.Client(), srv.URL+"/f", path, sum, int64(len(body))); err != nil {
		t.Fatal(err)
	}
	if got, err := FileSHA256(path); err != nil || got != sum {
		t.Errorf("FileSHA256 = %s, %v; want %s", got, err, sum)
	}

	other := filepath.Join(dir, "other")
	for name, c := range map[string]struct {
		sum  string
		size int64
	}{"hash": {strings.Repeat("0", 64), 0}, "size": {sum, 99}} {
		err := Fetch(srv.Client(), srv.URL+"/f", other, c.sum, c.size)
		if !errors.Is(err, ErrMismatch) {
			t.Errorf("%s: err = %v, want ErrMismatch", name, err)
		}
		if _, err := os.Stat(other); err == nil {
			t.Errorf("%s: a file that is not the pinned one was kept", name)
		}
		if _, err := os.Stat(other + ".part"); err == nil {
			t.Errorf("%s: the partial file was kept", name)
		}
	}
	err := Fetch(srv.Client(), srv.URL+"/missing", other, sum, 0)
	if err == nil || errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), "404") {
		t.Errorf("missing: err = %v, want the server's status", err)
	}
	if _, err := FileSHA256(filepath.Join(dir, "nope")); err == nil {
		t.Error("FileSHA256 of a missing file")
	}
}
