package launcher

import (
	"bufio"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// lockFile pins every jar of the runtime class path by sha256, in the format
// of sha256sum(1): "<hex>  <file name>" per line, sorted by name. Maven
// resolves versions, this file makes the bytes reproducible.
//
//go:embed jars.sha256
var lockFile string

// markerName is written into the cache dir once the jars matched the lock; it
// holds lockDigest so that changing the lock invalidates old downloads.
const markerName = ".verified"

func lockDigest() string {
	sum := sha256.Sum256([]byte(lockFile))
	return hex.EncodeToString(sum[:])
}

// ParseLock reads sha256sum-style lines into file name -> hex digest.
func ParseLock(text string) (map[string]string, error) {
	pins := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		sum, name, ok := strings.Cut(line, "  ")
		if !ok || len(sum) != 64 || strings.ContainsAny(name, "/\\") || name == "" {
			return nil, fmt.Errorf("lock line %d: want \"<sha256>  <file>\", got %q", n, line)
		}
		if _, err := hex.DecodeString(sum); err != nil {
			return nil, fmt.Errorf("lock line %d: bad sha256 %q", n, sum)
		}
		if _, dup := pins[name]; dup {
			return nil, fmt.Errorf("lock line %d: %s listed twice", n, name)
		}
		pins[name] = sum
	}
	return pins, sc.Err()
}

// HashJars returns file name -> sha256 of every .jar in dir.
func HashJars(dir string) (map[string]string, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.jar"))
	if err != nil {
		return nil, err
	}
	sums := make(map[string]string, len(paths))
	for _, p := range paths {
		sum, err := fileSHA256(p)
		if err != nil {
			return nil, err
		}
		sums[filepath.Base(p)] = sum
	}
	return sums, nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// FormatLock renders sums in the lock file format, sorted by name.
func FormatLock(sums map[string]string) string {
	names := make([]string, 0, len(sums))
	for n := range sums {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	fmt.Fprintf(&b, "# Apache Cassandra %s runtime class path, pinned by sha256.\n", Version)
	b.WriteString("# Regenerate with: go run ./tools/cassandra lock\n")
	for _, n := range names {
		fmt.Fprintf(&b, "%s  %s\n", sums[n], n)
	}
	return b.String()
}

// verifyJars checks that dir holds exactly the pinned jars with the pinned
// digests. Extra jars are an error too: they would end up on the class path.
func verifyJars(dir string) error {
	pins, err := ParseLock(lockFile)
	if err != nil {
		return fmt.Errorf("embedded jars.sha256: %w", err)
	}
	if len(pins) == 0 {
		return fmt.Errorf("jars.sha256 is empty: run `go run ./tools/cassandra lock` to create it")
	}
	got, err := HashJars(dir)
	if err != nil {
		return err
	}
	var problems []string
	for name, want := range pins {
		switch have, ok := got[name]; {
		case !ok:
			problems = append(problems, "missing "+name)
		case have != want:
			problems = append(problems, fmt.Sprintf("%s: sha256 %s, lock says %s", name, have, want))
		}
	}
	for name := range got {
		if _, ok := pins[name]; !ok {
			problems = append(problems, "not in lock: "+name)
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return fmt.Errorf("fetched jars do not match tools/cassandra/launcher/jars.sha256 "+
			"(if the change is intended, run `go run ./tools/cassandra lock` and review the diff):\n  %s",
			strings.Join(problems, "\n  "))
	}
	return nil
}
