package launcher

import (
	"archive/zip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeMavenHome makes a Maven installation whose model builder jar holds a
// super POM with central at centralURL.
func fakeMavenHome(t *testing.T, centralURL string) string {
	t.Helper()
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, "lib"), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(home, "lib", "maven-model-builder-3.9.9.jar"))
	if err != nil {
		t.Fatal(err)
	}
	z := zip.NewWriter(f)
	w, _ := z.Create("org/apache/maven/model/pom-4.0.0.xml")
	w.Write([]byte(`<project><modelVersion>4.0.0</modelVersion><repositories>
  <repository><id>other</id><url>https://other.example.org/repo</url></repository>
  <repository><id>central</id><name>Central Repository</name><url>` + centralURL + `</url></repository>
</repositories></project>`))
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return home
}

// writeSettings writes a settings.xml with the given <mirror> elements.
func writeSettings(t *testing.T, mirrors ...string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "settings.xml")
	text := `<?xml version="1.0"?>
<settings xmlns="http://maven.apache.org/SETTINGS/1.2.0"><mirrors>` + strings.Join(mirrors, "\n") + `</mirrors></settings>`
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func mirrorXML(id, of, url string, blocked bool) string {
	b := ""
	if blocked {
		b = "<blocked>true</blocked>"
	}
	return "<mirror><id>" + id + "</id><mirrorOf>" + of + "</mirrorOf><url>" + url + "</url>" + b + "</mirror>"
}

func TestCentralRepository(t *testing.T) {
	home := fakeMavenHome(t, "https://central.example.org/maven2/")
	httpBlocker := mirrorXML("maven-default-http-blocker", "external:http:*", "http://0.0.0.0/", true)
	missing := filepath.Join(t.TempDir(), "none.xml")
	for name, tc := range map[string]struct {
		settings []string
		want     string
	}{
		"super POM":            {[]string{missing, writeSettings(t, httpBlocker)}, "https://central.example.org/maven2"},
		"global mirror of all": {[]string{missing, writeSettings(t, httpBlocker, mirrorXML("corp", "*", "https://corp.example.com/all", false))}, "https://corp.example.com/all"},
		"user before global": {[]string{
			writeSettings(t, mirrorXML("mine", "external:*", "https://mine.example.com/m2/", false)),
			writeSettings(t, mirrorXML("corp", "*", "https://corp.example.com/all", false)),
		}, "https://mine.example.com/m2"},
		"exact id before pattern": {[]string{writeSettings(t,
			mirrorXML("any", "*", "https://any.example.com", false),
			mirrorXML("c", "central", "https://c.example.com", false))}, "https://c.example.com"},
		"blocked and excluded skipped": {[]string{writeSettings(t,
			mirrorXML("b", "central", "https://blocked.example.com", true),
			mirrorXML("x", "*,!central", "https://x.example.com", false),
			mirrorXML("o", "other", "https://o.example.com", false))}, "https://central.example.org/maven2"},
	} {
		got, err := centralRepository(tc.settings, home)
		if err != nil || got != tc.want {
			t.Errorf("%s: got %q, %v; want %q", name, got, err, tc.want)
		}
	}
}

func TestCentralRepositoryErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		settings []string
		home     string
		want     string
	}{
		"no model builder":  {nil, t.TempDir(), "FIND_PEERS_MAVEN_REPOSITORY"},
		"property in a URL": {[]string{writeSettings(t, mirrorXML("m", "*", "${env.REPO}/maven", false))}, t.TempDir(), "FIND_PEERS_MAVEN_REPOSITORY"},
		"broken settings":   {[]string{writeSettings(t, "<mirror>")}, t.TempDir(), "settings"},
	} {
		_, err := centralRepository(tc.settings, tc.home)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error naming %s", name, err, tc.want)
		}
	}
}
