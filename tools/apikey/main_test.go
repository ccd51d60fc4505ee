package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/find-peers/find-peers/libs/apikey"
)

var timestamp = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func runCLI(t *testing.T, lookup func(string) (string, bool), args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, lookup, &out, &errb)
	return code, out.String(), errb.String()
}

func TestCreateListRevoke(t *testing.T) {
	file := filepath.Join(t.TempDir(), "keys.json")
	none := env(nil)
	code, token, stderr := runCLI(t, none, "create", "--file", file, "--name", "ci writer", "--scope", "write")
	if code != 0 {
		t.Fatalf("create: %d %s", code, stderr)
	}
	token = strings.TrimSpace(token)
	id, secret, err := apikey.ParseToken(token)
	if err != nil {
		t.Fatalf("create printed %q, not a token", token)
	}
	if strings.Contains(stderr, secret) {
		t.Error("stderr holds the secret")
	}
	// The reader comes from the environment's file.
	code, rtoken, _ := runCLI(t, env(map[string]string{fileEnv: file}), "create", "--name", "browser", "--scope", "read", "--rate-limit", "5")
	if code != 0 {
		t.Fatal("create via env failed")
	}
	data, _ := os.ReadFile(file)
	if bytes.Contains(data, []byte(secret)) || !bytes.Contains(data, []byte(apikey.HashSecret(secret))) {
		t.Error("the file must hold the secret's hash, never the secret")
	}
	f, err := apikey.Load(file)
	if err != nil || len(f.Keys) != 2 || f.Keys[1].RateLimit != 5 {
		t.Fatalf("file after two creates: %+v %v", f, err)
	}
	keys := apikey.NewKeys(f)
	if k, err := keys.Authenticate(strings.TrimSpace(rtoken)); err != nil || k.Allows(apikey.ScopeWrite) {
		t.Errorf("read token: %+v %v", k, err)
	}

	code, listing, _ := runCLI(t, none, "list", "--file", file)
	if code != 0 || !strings.Contains(listing, id) || !strings.Contains(listing, "ci writer") || !strings.Contains(listing, "browser") {
		t.Errorf("list: %d\n%s", code, listing)
	}
	if strings.Contains(listing, apikey.HashSecret(secret)) || strings.Contains(listing, secret) {
		t.Error("list shows a hash or secret")
	}

	if code, out, _ := runCLI(t, none, "revoke", "--file", file, "--id", id); code != 0 || !strings.Contains(out, "revoked key "+id) {
		t.Fatalf("revoke: %d %s", code, out)
	}
	f, _ = apikey.Load(file)
	if _, err := apikey.NewKeys(f).Authenticate(token); err != apikey.ErrRevoked {
		t.Errorf("revoked token: %v", err)
	}
	if code, out, _ := runCLI(t, none, "revoke", "--file", file, "--id", id); code != 0 || !strings.Contains(out, "already revoked") {
		t.Errorf("second revoke: %d %s", code, out)
	}
	// The revoked key's line shows two times (created, revoked).
	_, listing, _ = runCLI(t, none, "list", "--file", file)
	for _, line := range strings.Split(listing, "\n") {
		if strings.HasPrefix(line, id) && len(timestamp.FindAllString(line, -1)) != 2 {
			t.Errorf("list after revoke: %q lacks the revocation time", line)
		}
	}
}

func TestUsageAndFailures(t *testing.T) {
	file := filepath.Join(t.TempDir(), "keys.json")
	none := env(nil)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "want a command"},
		{[]string{"delete"}, 2, "unknown command"},
		{[]string{"create", "--name", "x", "--scope", "read"}, 2, "--file"},
		{[]string{"create", "--file", file, "--name", "x", "--scope", "admin"}, 2, "--scope"},
		{[]string{"create", "--file", file, "--name", " ", "--scope", "read"}, 1, "name"},
		{[]string{"create", "--file", file, "--name", "x", "--scope", "read", "--rate-limit", "-1"}, 1, "rateLimit"},
		{[]string{"create", "--file", file, "--name", "x", "--scope", "read", "extra"}, 2, "unexpected"},
		{[]string{"revoke", "--file", file, "--id", "0123456789abcdef"}, 1, "no such file"},
		{[]string{"list", "--file", file}, 1, "no such file"},
	} {
		code, stdout, stderr := runCLI(t, none, c.args...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("%q: exit %d, stderr %q; want %d and %q", c.args, code, stderr, c.code, c.want)
		}
		if stdout != "" {
			t.Errorf("%q printed %q on stdout", c.args, stdout)
		}
	}
	if _, err := os.Stat(file); err == nil {
		t.Error("a failed create wrote the file")
	}
	_ = os.WriteFile(file, []byte(`{"keys":[]}`), 0o600)
	if code, _, stderr := runCLI(t, none, "revoke", "--file", file, "--id", "0123456789abcdef"); code != 1 || !strings.Contains(stderr, "--id: no key") {
		t.Errorf("unknown id: %d %s", code, stderr)
	}
	_ = os.WriteFile(file, []byte(`{"keys":[{}]}`), 0o600)
	if code, _, stderr := runCLI(t, none, "create", "--file", file, "--name", "x", "--scope", "read"); code != 1 || !strings.Contains(stderr, "keys[0].id") {
		t.Errorf("broken file: %d %s", code, stderr)
	}
}
