package main

import (
	"os"
	"path/filepath"
	"testing"
)

// The files are made once, readable by the containers' users (0644) inside
// a directory only the owner enters (0700), and kept by a second run.
func TestComposeSecrets(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "secrets")
	if err := composeSecrets([]string{"--dir", dir, "--roles", "admin,beacon"}); err != nil {
		t.Fatal(err)
	}
	names := []string{"ca.pem", "node.pem", "admin.password", "beacon.password"}
	before := map[string]string{}
	for _, n := range names {
		p := filepath.Join(dir, n)
		st, err := os.Stat(p)
		if err != nil || st.Mode().Perm() != 0o644 {
			t.Fatalf("%s: %v %v, want mode 0644", n, st, err)
		}
		b, _ := os.ReadFile(p)
		before[n] = string(b)
	}
	if st, _ := os.Stat(dir); st.Mode().Perm() != 0o700 {
		t.Errorf("directory mode %v, want 0700", st.Mode().Perm())
	}
	if before["admin.password"] == before["beacon.password"] {
		t.Error("two roles got the same password")
	}
	if err := composeSecrets([]string{"--dir", dir, "--roles", "admin,beacon"}); err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if b, _ := os.ReadFile(filepath.Join(dir, n)); string(b) != before[n] {
			t.Errorf("%s changed on the second run", n)
		}
	}
}
