package launcher

import (
	"os"
	"path/filepath"
	"testing"
)

func TestReadOrMakePassword(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secrets", "tracking.password")
	made, err := ReadOrMakePassword(path)
	if err != nil || len(made) < 32 {
		t.Fatalf("made %d bytes, %v", len(made), err)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("password file mode %v, %v: want 0600", st.Mode(), err)
	}
	if st, err := os.Stat(filepath.Dir(path)); err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("password dir mode %v, %v: want 0700", st.Mode(), err)
	}
	again, err := ReadOrMakePassword(path)
	if err != nil || again != made {
		t.Fatalf("the second call did not read the same password back (%v)", err)
	}
	if err := os.WriteFile(path, []byte("given\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, _ := ReadOrMakePassword(path); got != "given" {
		t.Errorf("a given password file is read without its newline: got %d bytes", len(got))
	}
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadOrMakePassword(path); err == nil {
		t.Error("an empty password file was accepted")
	}
}
