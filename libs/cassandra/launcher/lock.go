package launcher

import (
	"bufio"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/find-peers/find-peers/libs/pinned"
)

// lockFile pins every jar of the runtime class path: one line per jar,
// "<sha256>  <group>:<artifact>:<version>[:<classifier>]", sorted by
// coordinates. Maven resolves versions, this file makes the bytes
// reproducible. It is the one list of the jars: `fetch` verifies Maven's
// download against it, and bazel/cassandra.bzl downloads each jar by its
// coordinates with its sha256 into Bazel's repository cache (@cassandra_jars).
//
//go:embed jars.lock
var lockFile string

// markerName is written into the cache dir once the jars matched the lock; it
// holds lockDigest so that changing the lock invalidates old downloads.
const markerName = ".verified"

func lockDigest() string {
	sum := sha256.Sum256([]byte(lockFile))
	return hex.EncodeToString(sum[:])
}

// Jar is one pinned jar of the lock file.
type Jar struct {
	Coord  string // group:artifact:version[:classifier]
	SHA256 string // hex
}

// coordParts splits Coord; ok is false unless it has 3 or 4 non-empty parts
// that are safe as path elements.
func (j Jar) coordParts() (group, artifact, version, classifier string, ok bool) {
	p := strings.Split(j.Coord, ":")
	if len(p) != 3 && len(p) != 4 {
		return "", "", "", "", false
	}
	for _, s := range p {
		if s == "" || s == "." || s == ".." || strings.ContainsAny(s, "/\\ \t") {
			return "", "", "", "", false
		}
	}
	if len(p) == 4 {
		classifier = p[3]
	}
	return p[0], p[1], p[2], classifier, true
}

// FileName is the jar's file name as Maven stores and copies it:
// artifact-version[-classifier].jar (bazel/cassandra.bzl derives the same).
func (j Jar) FileName() string {
	_, a, v, c, _ := j.coordParts()
	if c != "" {
		return a + "-" + v + "-" + c + ".jar"
	}
	return a + "-" + v + ".jar"
}

// RepoPath is the jar's path below a Maven repository's base URL.
func (j Jar) RepoPath() string {
	g, a, v, _, _ := j.coordParts()
	return strings.ReplaceAll(g, ".", "/") + "/" + a + "/" + v + "/" + j.FileName()
}

// ParseLock reads the lock file format; every jar must have a file name of
// its own, since they all share one class path directory.
func ParseLock(text string) ([]Jar, error) {
	var jars []Jar
	names := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		sum, coord, _ := strings.Cut(line, "  ")
		j := Jar{Coord: coord, SHA256: sum}
		if _, err := hex.DecodeString(sum); err != nil || len(sum) != 64 {
			return nil, fmt.Errorf("lock line %d: want \"<sha256>  <group>:<artifact>:<version>[:<classifier>]\", got %q", n, line)
		}
		if _, _, _, _, ok := j.coordParts(); !ok {
			return nil, fmt.Errorf("lock line %d: bad Maven coordinates %q (want group:artifact:version[:classifier])", n, coord)
		}
		if names[j.FileName()] {
			return nil, fmt.Errorf("lock line %d: %s listed twice", n, j.FileName())
		}
		names[j.FileName()] = true
		jars = append(jars, j)
	}
	return jars, sc.Err()
}

// HashJars returns file name -> sha256 of every .jar in dir.
func HashJars(dir string) (map[string]string, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.jar"))
	if err != nil {
		return nil, err
	}
	sums := make(map[string]string, len(paths))
	for _, p := range paths {
		sum, err := pinned.FileSHA256(p)
		if err != nil {
			return nil, err
		}
		sums[filepath.Base(p)] = sum
	}
	return sums, nil
}

// FormatLock renders jars in the lock file format, sorted by coordinates.
func FormatLock(jars []Jar) string {
	jars = append([]Jar(nil), jars...)
	sort.Slice(jars, func(a, b int) bool { return jars[a].Coord < jars[b].Coord })
	var b strings.Builder
	fmt.Fprintf(&b, "# Apache Cassandra %s runtime class path: the sha256 and Maven coordinates\n", Version)
	b.WriteString("# (group:artifact:version[:classifier]) of every jar. Read by the launcher's\n")
	b.WriteString("# fetch and by bazel/cassandra.bzl. Regenerate with: go run ./tools/cassandra lock\n")
	for _, j := range jars {
		fmt.Fprintf(&b, "%s  %s\n", j.SHA256, j.Coord)
	}
	return b.String()
}

// verifyJars checks that dir holds exactly the pinned jars with the pinned
// digests. Extra jars are an error too: they would end up on the class path.
func verifyJars(dir string) error {
	pins, err := ParseLock(lockFile)
	if err != nil {
		return fmt.Errorf("embedded jars.lock: %w", err)
	}
	if len(pins) == 0 {
		return fmt.Errorf("jars.lock is empty: run `go run ./tools/cassandra lock` to create it")
	}
	got, err := HashJars(dir)
	if err != nil {
		return err
	}
	if problems := compareJars(pins, got); len(problems) > 0 {
		return fmt.Errorf("fetched jars do not match libs/cassandra/launcher/jars.lock "+
			"(if the change is intended, run `go run ./tools/cassandra lock` and review the diff):\n  %s",
			strings.Join(problems, "\n  "))
	}
	return nil
}

// compareJars lists, sorted, how the jars found (file name -> sha256)
// differ from the pins.
func compareJars(pins []Jar, got map[string]string) []string {
	var problems []string
	pinned := map[string]bool{}
	for _, j := range pins {
		name := j.FileName()
		pinned[name] = true
		switch have, ok := got[name]; {
		case !ok:
			problems = append(problems, "missing "+name)
		case have != j.SHA256:
			problems = append(problems, fmt.Sprintf("%s: sha256 %s, lock says %s", name, have, j.SHA256))
		}
	}
	for name := range got {
		if !pinned[name] {
			problems = append(problems, "not in lock: "+name)
		}
	}
	sort.Strings(problems)
	return problems
}
