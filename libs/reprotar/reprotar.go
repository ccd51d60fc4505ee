// Package reprotar writes reproducible tar archives: the layers of the
// service images (libs/ociimage) and of the Cassandra image
// (tools/build/cassandraimage). Every entry gets the Unix epoch as mtime, no
// access or change time, numeric owners without user or group names, no
// extended attributes and the PAX format, so the same entries in the same
// order give the same bytes on any machine at any time. Entries are written
// in the order given; AddTree walks a directory in lexical order.
package reprotar

import (
	"archive/tar"
	"bufio"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Epoch is every entry's modification time.
var Epoch = time.Unix(0, 0).UTC()

// Writer writes the entries of one archive.
type Writer struct {
	tw    *tar.Writer
	links map[[2]uint64]string // (dev, inode) -> first path, for hard links
}

// NewWriter writes an archive to w; Close finishes it.
func NewWriter(w io.Writer) *Writer {
	return &Writer{tw: tar.NewWriter(w), links: map[[2]uint64]string{}}
}

// Close writes the archive's trailer (it does not close the underlying writer).
func (w *Writer) Close() error { return w.tw.Close() }

// WriteFile creates the file p and writes an archive of what fill adds.
func WriteFile(p string, fill func(*Writer) error) error {
	f, err := os.Create(p)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	w := NewWriter(bw)
	if err := fill(w); err != nil {
		f.Close()
		return err
	}
	if err := w.Close(); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// header writes h with the fields that could differ between machines or
// runs fixed.
func (w *Writer) header(h *tar.Header) error {
	h.ModTime, h.AccessTime, h.ChangeTime = Epoch, time.Time{}, time.Time{}
	h.Uname, h.Gname = "", ""
	h.Format = tar.FormatPAX
	return w.tw.WriteHeader(h)
}

// Dir adds a directory (name without a trailing slash).
func (w *Writer) Dir(name string, mode int64, uid, gid int) error {
	return w.header(&tar.Header{Typeflag: tar.TypeDir, Name: strings.TrimSuffix(name, "/") + "/", Mode: mode, Uid: uid, Gid: gid})
}

// File adds a regular file owned by root.
func (w *Writer) File(name string, mode int64, data []byte) error {
	if err := w.header(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: int64(len(data))}); err != nil {
		return err
	}
	_, err := w.tw.Write(data)
	return err
}

// Symlink adds a symbolic link owned by root.
func (w *Writer) Symlink(name, target string) error {
	return w.header(&tar.Header{Typeflag: tar.TypeSymlink, Name: name, Linkname: target, Mode: 0o777})
}

// TreeOptions say how AddTree maps a directory tree to entries.
type TreeOptions struct {
	// Plain gives directories 0755 and files 0644 instead of the tree's
	// modes (a download cache's modes are nobody's intent: its scratch
	// directories are 0700).
	Plain bool
	// EmptyDirs are top-level directories (relative to the tree) that are
	// added without their contents, e.g. a root file system's dev, proc,
	// sys, run and tmp, which the container runtime provides.
	EmptyDirs map[string]bool
}

// RootFSEmptyDirs are the directories of a root file system whose contents
// the container runtime provides (or that must not ship).
var RootFSEmptyDirs = map[string]bool{"dev": true, "proc": true, "sys": true, "run": true, "tmp": true}

// AddTree adds the tree at src under prefix (the root itself is added as
// prefix/ unless prefix is empty), owned by root, in lexical order. Hard
// links within the tree stay hard links; devices, sockets and fifos are left
// out.
func (w *Writer) AddTree(src, prefix string, opts TreeOptions) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		name := path.Join(prefix, rel)
		if rel == "." {
			if prefix == "" {
				return nil
			}
			name = prefix
		}
		if top, _, nested := strings.Cut(rel, "/"); nested && opts.EmptyDirs[top] {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		info, err := os.Lstat(p)
		if err != nil {
			return err
		}
		mode := int64(info.Mode().Perm())
		if info.Mode()&fs.ModeSetuid != 0 {
			mode |= 0o4000
		}
		if info.Mode()&fs.ModeSetgid != 0 {
			mode |= 0o2000
		}
		if info.Mode()&fs.ModeSticky != 0 {
			mode |= 0o1000
		}
		if opts.Plain {
			mode = 0o644
			if info.IsDir() {
				mode = 0o755
			}
		}
		switch {
		case info.IsDir():
			return w.header(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: mode})
		case info.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return w.header(&tar.Header{Typeflag: tar.TypeSymlink, Name: name, Linkname: target, Mode: 0o777})
		case info.Mode().IsRegular():
			if st, ok := info.Sys().(*syscall.Stat_t); ok && st.Nlink > 1 {
				key := [2]uint64{uint64(st.Dev), st.Ino}
				if first, seen := w.links[key]; seen {
					return w.header(&tar.Header{Typeflag: tar.TypeLink, Name: name, Linkname: first, Mode: mode})
				}
				w.links[key] = name
			}
			if err := w.header(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: info.Size()}); err != nil {
				return err
			}
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			n, err := io.Copy(w.tw, f)
			if err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
			if n != info.Size() {
				return fmt.Errorf("%s changed while being read", p)
			}
			return nil
		default:
			return nil // devices, sockets, fifos: the runtime provides them
		}
	})
}
