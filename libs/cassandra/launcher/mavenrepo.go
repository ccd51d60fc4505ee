package launcher

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// MavenRepository returns the base URL of the repository this machine's Maven
// uses for Maven Central, so that Bazel (bazel/cassandra.bzl, through
// tools/bazel) downloads the pinned jars from the same place as `fetch` does
// without any repository address being written into the project. It follows
// Maven's own rules: the first active mirror of central in ~/.m2/settings.xml,
// then in $MAVEN_HOME/conf/settings.xml, else central's URL in the super POM
// of the Maven on PATH.
func MavenRepository() (string, error) {
	home, err := mavenHome()
	if err != nil {
		return "", err
	}
	var settings []string
	if h, err := os.UserHomeDir(); err == nil {
		settings = append(settings, filepath.Join(h, ".m2", "settings.xml"))
	}
	settings = append(settings, filepath.Join(home, "conf", "settings.xml"))
	return centralRepository(settings, home)
}

// mavenHome is the installation of the `mvn` on PATH: bin/mvn's grandparent
// once symlinks are resolved (Debian: /usr/bin/mvn -> /usr/share/maven).
func mavenHome() (string, error) {
	mvn, err := exec.LookPath("mvn")
	if err != nil {
		return "", fmt.Errorf("no `mvn` on PATH to ask which Maven repository to use: install Maven (Debian: apt-get install maven) or set FIND_PEERS_MAVEN_REPOSITORY to a Maven repository's base URL")
	}
	real, err := filepath.EvalSymlinks(mvn)
	if err != nil {
		return "", err
	}
	return filepath.Dir(filepath.Dir(real)), nil
}

// centralRepository picks central's mirror from the settings files (in
// Maven's order: user settings first), else the super POM's central URL.
func centralRepository(settingsFiles []string, mavenHome string) (string, error) {
	var mirrors []mirror
	for _, f := range settingsFiles {
		m, err := readMirrors(f)
		if err != nil {
			return "", err
		}
		mirrors = append(mirrors, m...)
	}
	if m, ok := centralMirror(mirrors); ok {
		return baseURL(m.URL, "mirror "+m.ID)
	}
	u, err := superPOMCentral(mavenHome)
	if err != nil {
		return "", err
	}
	return baseURL(u, "the super POM's central repository")
}

type mirror struct {
	ID       string `xml:"id"`
	MirrorOf string `xml:"mirrorOf"`
	URL      string `xml:"url"`
	Blocked  bool   `xml:"blocked"`
}

// readMirrors returns the mirrors of a settings.xml; a missing file has none.
func readMirrors(path string) ([]mirror, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var s struct {
		Mirrors []mirror `xml:"mirrors>mirror"`
	}
	if err := xml.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("read Maven settings %s: %w", path, err)
	}
	return s.Mirrors, nil
}

// centralMirror selects like Maven's DefaultMirrorSelector: a mirror of
// exactly "central" first, then the first whose pattern matches it. Blocked
// mirrors serve nothing.
func centralMirror(mirrors []mirror) (mirror, bool) {
	for _, m := range mirrors {
		if !m.Blocked && strings.TrimSpace(m.MirrorOf) == "central" {
			return m, true
		}
	}
	for _, m := range mirrors {
		if !m.Blocked && mirrorsCentral(m.MirrorOf) {
			return m, true
		}
	}
	return mirror{}, false
}

// mirrorsCentral evaluates a <mirrorOf> pattern for central, an external
// repository served over HTTPS: "*", "external:*" and "central" match,
// "!central" excludes, "external:http:*" does not match.
func mirrorsCentral(pattern string) bool {
	match := false
	for _, p := range strings.Split(pattern, ",") {
		switch strings.TrimSpace(p) {
		case "!central":
			return false
		case "*", "external:*", "central":
			match = true
		}
	}
	return match
}

// superPOMCentral reads central's URL from the super POM inside Maven's
// model builder jar.
func superPOMCentral(mavenHome string) (string, error) {
	jars, _ := filepath.Glob(filepath.Join(mavenHome, "lib", "maven-model-builder-*.jar"))
	if len(jars) == 0 {
		return "", fmt.Errorf("no lib/maven-model-builder-*.jar in %s to read the super POM from: set FIND_PEERS_MAVEN_REPOSITORY to a Maven repository's base URL", mavenHome)
	}
	z, err := zip.OpenReader(jars[0])
	if err != nil {
		return "", err
	}
	defer z.Close()
	b, err := fs.ReadFile(z, "org/apache/maven/model/pom-4.0.0.xml")
	if err != nil {
		return "", fmt.Errorf("super POM in %s: %w", jars[0], err)
	}
	var pom struct {
		Repositories []struct {
			ID  string `xml:"id"`
			URL string `xml:"url"`
		} `xml:"repositories>repository"`
	}
	if err := xml.Unmarshal(b, &pom); err != nil {
		return "", fmt.Errorf("super POM in %s: %w", jars[0], err)
	}
	for _, r := range pom.Repositories {
		if r.ID == "central" {
			return r.URL, nil
		}
	}
	return "", fmt.Errorf("super POM in %s names no central repository", jars[0])
}

// baseURL checks that u is a usable absolute URL (Maven would interpolate
// ${...} properties; this does not) and drops trailing slashes.
func baseURL(u, from string) (string, error) {
	u = strings.TrimSpace(u)
	p, err := url.Parse(u)
	if err != nil || p.Scheme == "" || (p.Host == "" && p.Scheme != "file") || strings.Contains(u, "${") {
		return "", fmt.Errorf("%s has URL %q, which is not a plain absolute URL: set FIND_PEERS_MAVEN_REPOSITORY to the repository's base URL", from, u)
	}
	return strings.TrimRight(u, "/"), nil
}
