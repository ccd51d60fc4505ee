package procstack

import (
	"bytes"
	"io"
	"testing"
)

func TestPrefixWriterWholeLines(t *testing.T) {
	var out bytes.Buffer
	w := prefixWriter(&out, "beacon")
	for _, chunk := range []string{"hel", "lo\nwor", "ld\n", "partial"} {
		if _, err := io.WriteString(w, chunk); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := out.String(), "beacon | hello\nbeacon | world\n"; got != want {
		t.Fatalf("got %q, want %q (an unfinished line must wait)", got, want)
	}
}
