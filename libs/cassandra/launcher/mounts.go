package launcher

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// JavaFindsFileSystem reports whether Java can tell which file system dir is
// on, which Cassandra needs (it sizes the commit log and checks free space
// at startup, and refuses to start with "Unable check disk space" when it
// cannot). Java (sun.nio.fs.LinuxFileStore) walks up from dir to the first
// directory whose parent is on another device, or to /, and looks for it in
// /proc/self/mounts. In a chroot whose root is not itself a mount point, such
// as the Bazel root of tools/bazel, that fails for every directory on the
// root's file system. Where there is no /proc it reports true.
func JavaFindsFileSystem(dir string) bool {
	mounts, err := os.ReadFile("/proc/self/mounts")
	if err != nil {
		return true
	}
	listed := map[string]bool{}
	for _, line := range strings.Split(string(mounts), "\n") {
		if f := strings.Fields(line); len(f) > 1 {
			listed[mountsUnescape.Replace(f[1])] = true
		}
	}
	p, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return true // Start reports a missing dir better
	}
	dev, err := device(p)
	if err != nil {
		return true
	}
	for {
		parent := filepath.Dir(p)
		if parent == p {
			return listed[p]
		}
		if d, err := device(parent); err == nil && d != dev && listed[p] {
			return true
		}
		p = parent
	}
}

// mountsUnescape undoes the octal escapes of /proc/self/mounts.
var mountsUnescape = strings.NewReplacer(`\040`, " ", `\011`, "\t", `\012`, "\n", `\134`, `\`)

func device(path string) (uint64, error) {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return 0, err
	}
	return uint64(st.Dev), nil
}

// checkFileSystem fails early, and says why, where Cassandra would fail late.
func checkFileSystem(dir string) error {
	if JavaFindsFileSystem(dir) {
		return nil
	}
	return fmt.Errorf("Java cannot tell the file system of %s (no mount point of it is in /proc/self/mounts: "+
		"a chroot whose / is not a mount point?), so Cassandra would refuse to start: "+
		"use a --dir on a mounted file system (e.g. under /dev/shm), or bind-mount the chroot's root onto itself", dir)
}
