package main

import (
	"archive/tar"
	"bufio"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"syscall"
	"time"
)

// tarWriter writes reproducible layer tarballs: entries in the order given
// (addTree walks in lexical order), mtime 0, numeric owners, no user/group
// names, no extended attributes.
type tarWriter struct {
	tw    *tar.Writer
	links map[[2]uint64]string // (dev, inode) -> first path, for hard links
}

func writeTar(p string, fill func(*tarWriter) error) error {
	f, err := os.Create(p)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	w := &tarWriter{tw: tar.NewWriter(bw), links: map[[2]uint64]string{}}
	if err := fill(w); err != nil {
		f.Close()
		return err
	}
	if err := w.tw.Close(); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

var epoch = time.Unix(0, 0).UTC()

func (w *tarWriter) header(h *tar.Header) error {
	h.ModTime, h.AccessTime, h.ChangeTime = epoch, time.Time{}, time.Time{}
	h.Uname, h.Gname = "", ""
	h.Format = tar.FormatPAX
	return w.tw.WriteHeader(h)
}

func (w *tarWriter) dir(name string, mode int64, uid, gid int) error {
	return w.header(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: mode, Uid: uid, Gid: gid})
}

func (w *tarWriter) file(name string, mode int64, data []byte) error {
	if err := w.header(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: int64(len(data))}); err != nil {
		return err
	}
	_, err := w.tw.Write(data)
	return err
}

func (w *tarWriter) symlink(name, target string) error {
	return w.header(&tar.Header{Typeflag: tar.TypeSymlink, Name: name, Linkname: target, Mode: 0o777})
}

// skipContents are directories of a root file system whose contents the
// container runtime provides (or that must not ship): kept empty.
var skipContents = map[string]bool{"dev": true, "proc": true, "sys": true, "run": true, "tmp": true}

// addTree adds the tree at src under prefix (the root itself is added as
// prefix/ unless prefix is empty), owned by root, with the tree's modes, or
// with 0755 directories and 0644 files when plain is set (a download cache's
// modes are nobody's intent: its scratch directories are 0700).
func (w *tarWriter) addTree(src, prefix string, plain bool) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		name := path.Join(prefix, filepath.ToSlash(rel))
		if rel == "." {
			if prefix == "" {
				return nil
			}
			name = prefix
		}
		if prefix == "" {
			if top, _, _ := cut(name); skipContents[top] && name != top {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
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
		if plain {
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

func cut(name string) (string, string, bool) {
	for i := 0; i < len(name); i++ {
		if name[i] == '/' {
			return name[:i], name[i+1:], true
		}
	}
	return name, "", false
}
