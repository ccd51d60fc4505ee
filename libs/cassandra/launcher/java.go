package launcher

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// jvmDir is where Debian (and most distributions) install JDKs side by side.
var jvmDir = "/usr/lib/jvm"

// Java finds a java binary that Cassandra 5.0 runs on (Java 11 or 17; it
// refuses newer ones) and returns it with its major version: $JAVA_HOME/bin/java
// if that is one, else `java` on PATH if that is one, else the newest of 17
// and 11 under /usr/lib/jvm. The last matters where the default Java is too
// new but a 17 is installed beside it, e.g. Debian sid in tools/bazel's root,
// where Bazel runs the tests. Nothing found fails here with what to install,
// instead of with an obscure stack trace later.
func Java() (path string, major int, err error) {
	var tried []string
	check := func(p string) int {
		m, err := javaMajor(p)
		switch {
		case err != nil:
			tried = append(tried, err.Error())
		case m != 11 && m != 17:
			tried = append(tried, fmt.Sprintf("%s is Java %d", p, m))
		}
		return m
	}
	var first []string
	if home := os.Getenv("JAVA_HOME"); home != "" {
		first = append(first, filepath.Join(home, "bin", "java"))
	}
	if p, err := exec.LookPath("java"); err == nil {
		first = append(first, p)
	}
	for _, p := range first {
		if m := check(p); m == 11 || m == 17 {
			return p, m, nil
		}
	}
	installed, _ := filepath.Glob(filepath.Join(jvmDir, "*", "bin", "java"))
	for _, p := range installed {
		if m := check(p); (m == 11 || m == 17) && m > major {
			path, major = p, m
		}
	}
	if path != "" {
		return path, major, nil
	}
	if len(tried) == 0 {
		tried = append(tried, "no JAVA_HOME, no `java` on PATH, nothing in "+jvmDir)
	}
	return "", 0, fmt.Errorf("Cassandra %s needs Java 17 (or 11), found none (%s): install one (Debian: apt-get install openjdk-17-jre-headless) or set JAVA_HOME to it",
		Version, strings.Join(tried, "; "))
}

// javaMajor runs `java -version` and reads the major version.
func javaMajor(path string) (int, error) {
	out, err := exec.Command(path, "-version").CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("%s -version: %v %s", path, err, bytes.TrimSpace(out))
	}
	major, err := parseJavaMajor(out)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	return major, nil
}

var javaVersionRE = regexp.MustCompile(`version "(\d+)(?:\.(\d+))?`)

// parseJavaMajor reads `java -version` output: `version "17.0.15"` -> 17,
// and the old `version "1.8.0_392"` scheme -> 8.
func parseJavaMajor(out []byte) (int, error) {
	m := javaVersionRE.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("cannot read Java version from %q", bytes.TrimSpace(out))
	}
	major, _ := strconv.Atoi(string(m[1]))
	if major == 1 && len(m[2]) > 0 {
		major, _ = strconv.Atoi(string(m[2]))
	}
	return major, nil
}
