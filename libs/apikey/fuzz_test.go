package apikey

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzParseToken: any Authorization value is a client's input. A token
// that parses must round-trip; nothing panics.
func FuzzParseToken(f *testing.F) {
	good, _, _, _ := NewToken()
	for _, s := range []string{good, "", "fpk_", "fpk_0123456789abcdef_", good + "_", strings.ToUpper(good)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, secret, err := ParseToken(s)
		if err != nil {
			return
		}
		if Prefix+id+"_"+secret != s || !ValidID(id) {
			t.Errorf("ParseToken(%q) = %q, %q", s, id, secret)
		}
	})
}

// FuzzParseKeyFile: the key file is operator input. What parses must survive a
// Marshal/Parse round trip unchanged.
func FuzzParseKeyFile(f *testing.F) {
	f.Add([]byte(`{"keys":[` + goodKey + `]}`))
	f.Add([]byte(`{"keys":[]}`))
	f.Add([]byte(`{"keys":[{"id":"0"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(bytes.NewReader(data))
		if err != nil {
			return
		}
		out, err := Marshal(file)
		if err != nil {
			t.Fatal(err)
		}
		again, err := Parse(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("re-parse of %s: %v", out, err)
		}
		out2, _ := Marshal(again)
		if !bytes.Equal(out, out2) {
			t.Errorf("not stable:\n%s\n%s", out, out2)
		}
	})
}
