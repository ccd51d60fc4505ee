package apikey

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const goodKey = `{"id":"0123456789abcdef","name":"ci","scopes":["write"],"sha256":"` +
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" + `","created":"2026-01-02T03:04:05Z"}`

func TestParseNamesTheBadField(t *testing.T) {
	for _, c := range []struct{ file, want string }{
		{`{"keys":[` + goodKey + `]}`, ""},
		{`{"keys":[]}`, ""},
		{`{}`, `"keys" missing`},
		{`[]`, "cannot unmarshal"},
		{`{"keys":[]} {}`, "data after"},
		{`{"keys":[],"extra":1}`, `unknown field "extra"`},
		{`{"keys":[` + strings.Replace(goodKey, "0123456789abcdef", "XYZ", 1) + `]}`, "keys[0].id"},
		{`{"keys":[` + strings.Replace(goodKey, `"ci"`, `" "`, 1) + `]}`, "keys[0].name"},
		{`{"keys":[` + strings.Replace(goodKey, `"ci"`, `"a\nb"`, 1) + `]}`, "keys[0].name"},
		{`{"keys":[` + strings.Replace(goodKey, `["write"]`, `[]`, 1) + `]}`, "keys[0].scopes"},
		{`{"keys":[` + strings.Replace(goodKey, `["write"]`, `["admin"]`, 1) + `]}`, "keys[0].scopes"},
		{`{"keys":[` + strings.Replace(goodKey, "aaaa", "AAAA", 1) + `]}`, "keys[0].sha256"},
		{`{"keys":[` + strings.Replace(goodKey, `,"created":"2026-01-02T03:04:05Z"`, ``, 1) + `]}`, "keys[0].created"},
		{`{"keys":[` + strings.Replace(goodKey, `}`, `,"rateLimit":-1}`, 1) + `]}`, "keys[0].rateLimit"},
		{`{"keys":[` + strings.Replace(goodKey, `}`, `,"rateBurst":-1}`, 1) + `]}`, "keys[0].rateBurst"},
		{`{"keys":[` + goodKey + `,` + goodKey + `]}`, "keys[1].id: duplicate"},
	} {
		_, err := Parse(strings.NewReader(c.file))
		switch {
		case c.want == "" && err != nil:
			t.Errorf("Parse(%s): %v", c.file, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("Parse(%s) = %v, want an error containing %q", c.file, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "aaaaaaaa") {
			t.Errorf("error %q quotes a hash", err)
		}
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	f, _ := testKeys(t)
	path := filepath.Join(t.TempDir(), "keys.json")
	if err := Save(path, f); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, f) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, f)
	}
	info, _ := os.Stat(path)
	if info.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640", info.Mode().Perm())
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
	// A rewrite keeps the mode an operator gave the file.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Save(path, f); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o644 {
		t.Errorf("rewrite changed the mode to %v", info.Mode().Perm())
	}
	empty, err := LoadOrEmpty(filepath.Join(t.TempDir(), "none.json"))
	if err != nil || empty.Keys == nil || len(empty.Keys) != 0 {
		t.Errorf("LoadOrEmpty(missing) = %+v, %v", empty, err)
	}
}
