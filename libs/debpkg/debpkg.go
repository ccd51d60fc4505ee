// Package debpkg reads what dpkg records of installed Debian packages.
package debpkg

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
)

// InstalledPackages reads a dpkg status file (/var/lib/dpkg/status) and
// returns the version of every installed package.
func InstalledPackages(r io.Reader) (map[string]string, error) {
	out := map[string]string{}
	var pkg, version, status string
	flush := func() {
		if pkg != "" && strings.HasSuffix(status, " installed") {
			out[pkg] = version
		}
		pkg, version, status = "", "", ""
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			flush()
			continue
		}
		k, v, ok := strings.Cut(line, ": ")
		if !ok {
			continue
		}
		switch k {
		case "Package":
			pkg = v
		case "Version":
			version = v
		case "Status":
			status = v
		}
	}
	flush()
	return out, sc.Err()
}

var repack = regexp.MustCompile(`\+(ds|dfsg|repack)[0-9.]*$`)

// UpstreamVersion is the upstream part of a Debian version: no epoch, no
// Debian revision, no repack suffix ("1:7.7.1+ds-8+b1" -> "7.7.1").
func UpstreamVersion(v string) string {
	if _, after, ok := strings.Cut(v, ":"); ok {
		v = after
	}
	if i := strings.LastIndex(v, "-"); i >= 0 {
		v = v[:i]
	}
	return repack.ReplaceAllString(v, "")
}

// InstalledVersion is the version of pkg in the dpkg status file at path,
// or an error naming the file when pkg is not installed there.
func InstalledVersion(path, pkg string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	installed, err := InstalledPackages(f)
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	v, ok := installed[pkg]
	if !ok {
		return "", fmt.Errorf("%s: package %s is not installed", path, pkg)
	}
	return v, nil
}
