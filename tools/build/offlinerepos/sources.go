package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/find-peers/find-peers/tools/build/bazeldeps"
)

// checkDebianSources compares WORKSPACE's sha256 with the orig tarballs of
// Debian's source index. Where bazel/offline.json says Debian's orig tarball
// is the upstream release archive, both must be the same bytes; where it
// does not, they must differ (else the manifest should say so).
func checkDebianSources(w *bazeldeps.Workspace, m *bazeldeps.Manifest, path string, log io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	origs, err := origHashes(f)
	if err != nil {
		return err
	}
	var errs []error
	names := make([]string, 0, len(m.Repositories))
	for name, s := range m.Repositories {
		if s.Kind() == "debian" {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		s := m.Repositories[name]
		orig := fmt.Sprintf("%s_%s.orig.tar.gz", s.Debian, s.Version)
		got, ok := origs[orig]
		var want string
		for _, a := range w.Archives {
			if a.Name == name {
				want = a.SHA256
			}
		}
		switch {
		case s.Drift != "":
			fmt.Fprintf(log, "drift:      %-15s WORKSPACE pins another version than Debian's %s, not comparable\n", name, s.Version)
		case !ok:
			errs = append(errs, fmt.Errorf("%s: Debian's source index has no %s", name, orig))
		case s.DebianOrigIsUpstream && got != want:
			errs = append(errs, fmt.Errorf("%s: %s is %s, WORKSPACE pins %s", name, orig, got, want))
		case !s.DebianOrigIsUpstream && got == want:
			errs = append(errs, fmt.Errorf("%s: %s is the upstream archive: set debian_orig_is_upstream", name, orig))
		case s.DebianOrigIsUpstream:
			fmt.Fprintf(log, "same bytes: %-15s %s = WORKSPACE's sha256 %s\n", name, orig, want)
		default:
			fmt.Fprintf(log, "repacked:   %-15s %s (%s…) is not the release archive (a repack or a tag archive)\n", name, orig, got[:12])
		}
	}
	if len(errs) > 0 {
		return joinErrs("Debian's orig tarballs", errs)
	}
	return nil
}

// origHashes maps each .orig.tar.* file of a Sources index to its sha256.
func origHashes(r io.Reader) (map[string]string, error) {
	out := map[string]string{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	inSHA := false
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "Checksums-Sha256:"):
			inSHA = true
		case inSHA && strings.HasPrefix(line, " "):
			fields := strings.Fields(line)
			if len(fields) == 3 && strings.Contains(fields[2], ".orig.tar.") {
				out[fields[2]] = fields[0]
			}
		default:
			inSHA = false
		}
	}
	return out, sc.Err()
}
