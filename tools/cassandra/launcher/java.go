package launcher

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
)

// Java locates the java binary ($JAVA_HOME/bin/java first, then PATH) and
// returns it with its major version. Cassandra 5.0 runs on Java 11 and 17
// only; anything else fails here with a clear message instead of an obscure
// stack trace later.
func Java() (path string, major int, err error) {
	if home := os.Getenv("JAVA_HOME"); home != "" {
		path = filepath.Join(home, "bin", "java")
		if _, err := os.Stat(path); err != nil {
			return "", 0, fmt.Errorf("JAVA_HOME=%s has no bin/java: %w", home, err)
		}
	} else if path, err = exec.LookPath("java"); err != nil {
		return "", 0, fmt.Errorf("Cassandra %s needs Java 17 (or 11): no `java` on PATH and JAVA_HOME unset (Debian: apt-get install openjdk-17-jre-headless)", Version)
	}
	out, err := exec.Command(path, "-version").CombinedOutput()
	if err != nil {
		return "", 0, fmt.Errorf("%s -version: %w\n%s", path, err, out)
	}
	major, err = parseJavaMajor(out)
	if err != nil {
		return "", 0, fmt.Errorf("%s: %w", path, err)
	}
	if major != 11 && major != 17 {
		return "", 0, fmt.Errorf("%s is Java %d; Cassandra %s supports Java 11 and 17 only: set JAVA_HOME to a Java 17", path, major, Version)
	}
	return path, major, nil
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
