package reprotar

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

type entry struct {
	name, link string
	typ        byte
	mode       int64
}

func entries(t *testing.T, data []byte) []entry {
	t.Helper()
	var out []entry
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if !h.ModTime.Equal(Epoch) || h.Uname != "" || h.Gname != "" || len(h.PAXRecords) != 0 {
			t.Errorf("%s: mtime %v, owner names %q/%q, PAX records %v: want the epoch and none", h.Name, h.ModTime, h.Uname, h.Gname, h.PAXRecords)
		}
		out = append(out, entry{h.Name, h.Linkname, h.Typeflag, h.Mode})
	}
}

func TestSameEntriesSameBytes(t *testing.T) {
	write := func() []byte {
		var buf bytes.Buffer
		w := NewWriter(&buf)
		for _, err := range []error{
			w.Dir("etc", 0o755, 0, 0),
			w.File("etc/passwd", 0o644, []byte("root:x:0:0::/:\n")),
			w.Symlink("etc/link", "passwd"),
			w.Close(),
		} {
			if err != nil {
				t.Fatal(err)
			}
		}
		return buf.Bytes()
	}
	a, b := write(), write()
	if !bytes.Equal(a, b) {
		t.Fatal("two archives of the same entries differ")
	}
	got := entries(t, a)
	want := []entry{{"etc/", "", tar.TypeDir, 0o755}, {"etc/passwd", "", tar.TypeReg, 0o644}, {"etc/link", "passwd", tar.TypeSymlink, 0o777}}
	if len(got) != len(want) {
		t.Fatalf("entries %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestAddTree(t *testing.T) {
	src := t.TempDir()
	for _, d := range []string{"bin", "dev/pts", "tmp/x"} {
		if err := os.MkdirAll(filepath.Join(src, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(src, "bin/a"), []byte("a"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(filepath.Join(src, "bin/a"), filepath.Join(src, "bin/b")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "tmp/x/junk"), []byte("j"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		prefix string
		opts   TreeOptions
		want   []entry
	}{
		{"", TreeOptions{EmptyDirs: RootFSEmptyDirs}, []entry{
			{"bin/", "", tar.TypeDir, 0o700}, {"bin/a", "", tar.TypeReg, 0o750}, {"bin/b", "bin/a", tar.TypeLink, 0o750},
			{"dev/", "", tar.TypeDir, 0o700}, {"tmp/", "", tar.TypeDir, 0o700},
		}},
		{"opt/lib", TreeOptions{Plain: true}, []entry{
			{"opt/lib/", "", tar.TypeDir, 0o755}, {"opt/lib/bin/", "", tar.TypeDir, 0o755},
			{"opt/lib/bin/a", "", tar.TypeReg, 0o644}, {"opt/lib/bin/b", "opt/lib/bin/a", tar.TypeLink, 0o644},
			{"opt/lib/dev/", "", tar.TypeDir, 0o755}, {"opt/lib/dev/pts/", "", tar.TypeDir, 0o755},
			{"opt/lib/tmp/", "", tar.TypeDir, 0o755}, {"opt/lib/tmp/x/", "", tar.TypeDir, 0o755},
			{"opt/lib/tmp/x/junk", "", tar.TypeReg, 0o644},
		}},
	} {
		p := filepath.Join(t.TempDir(), "layer.tar")
		if err := WriteFile(p, func(w *Writer) error { return w.AddTree(src, tc.prefix, tc.opts) }); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		got := entries(t, data)
		if len(got) != len(tc.want) {
			t.Fatalf("prefix %q: entries %v, want %v", tc.prefix, got, tc.want)
		}
		for i := range tc.want {
			if got[i] != tc.want[i] {
				t.Errorf("prefix %q: entry %d = %+v, want %+v", tc.prefix, i, got[i], tc.want[i])
			}
		}
	}
}
