package rloc

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNamedParsesAndResolves(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "beacon.digest")
	if err := os.WriteFile(file, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	var n Named
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.Var(&n, "image", "")
	if err := fs.Parse([]string{"--image", "beacon=" + file, "--image=tracking=" + file}); err != nil {
		t.Fatal(err)
	}
	got, err := n.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != "beacon" || got[1].Name != "tracking" || got[0].Path != file {
		t.Fatalf("Resolve() = %+v", got)
	}
	if s := n.String(); s != "beacon="+file+",tracking="+file {
		t.Errorf("String() = %q", s)
	}
}

func TestNamedRejects(t *testing.T) {
	for _, v := range []string{"beacon", "=path", "beacon=", ""} {
		var n Named
		if err := n.Set(v); err == nil || !strings.Contains(err.Error(), "NAME=PATH") {
			t.Errorf("Set(%q) = %v, want an error naming NAME=PATH", v, err)
		}
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var n Named
	fs.Var(&n, "image", "")
	if err := fs.Parse([]string{"--image", "no-equals"}); err == nil {
		t.Error("a bad --image parsed")
	}
	missing := Named{{Name: "beacon", Path: "find_peers/no/such/runfile"}}
	if _, err := missing.Resolve(); err == nil || !strings.HasPrefix(err.Error(), "beacon: ") {
		t.Errorf("Resolve of a missing file: %v, want an error naming beacon", err)
	}
}
