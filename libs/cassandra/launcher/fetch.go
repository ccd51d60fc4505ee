package launcher

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// pom declares cassandra-all as the only dependency; Maven resolves the rest
// using whatever repositories the user's Maven configuration names.
//
//go:embed pom.xml
var pom []byte

// Fetch makes sure cacheDir holds the pinned jars and returns their directory.
// A verified cache returns at once; otherwise Maven copies the runtime
// dependencies into a scratch dir that replaces lib/ only after verification,
// so an interrupted or tampered fetch never leaves a usable-looking cache.
func Fetch(ctx context.Context, cacheDir string) (string, error) {
	lib := LibDir(cacheDir)
	if Fetched(cacheDir) {
		return lib, nil
	}
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return "", fmt.Errorf("create cache dir: %w", err)
	}
	tmp, err := os.MkdirTemp(cacheDir, "lib.tmp-")
	if err != nil {
		return "", fmt.Errorf("create scratch dir: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := maven(ctx, "dependency:copy-dependencies", "-DoutputDirectory="+tmp); err != nil {
		return "", err
	}
	if err := verifyJars(tmp); err != nil {
		return "", err
	}
	if err := os.RemoveAll(lib); err != nil {
		return "", fmt.Errorf("remove old %s: %w", lib, err)
	}
	if err := os.Rename(tmp, lib); err != nil {
		return "", fmt.Errorf("install jars: %w", err)
	}
	if err := os.WriteFile(filepath.Join(cacheDir, markerName), []byte(lockDigest()), 0o644); err != nil {
		return "", fmt.Errorf("write marker: %w", err)
	}
	return lib, nil
}

// Lock resolves the jars with Maven without verifying them and returns the
// lock file text for them (coordinates from `mvn dependency:list`, digests of
// the copied files): the way to (re)generate jars.lock after changing the
// version.
func Lock(ctx context.Context) (string, error) {
	tmp, err := os.MkdirTemp("", "cassandra-lock-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	lib, list := filepath.Join(tmp, "lib"), filepath.Join(tmp, "dependencies.txt")
	if err := maven(ctx, "dependency:copy-dependencies", "dependency:list",
		"-DoutputDirectory="+lib, "-DoutputFile="+list); err != nil {
		return "", err
	}
	text, err := os.ReadFile(list)
	if err != nil {
		return "", err
	}
	coords, err := parseDependencyList(string(text))
	if err != nil {
		return "", err
	}
	sums, err := HashJars(lib)
	if err != nil {
		return "", err
	}
	jars := make([]Jar, len(coords))
	for i, c := range coords {
		jars[i] = Jar{Coord: c, SHA256: sums[Jar{Coord: c}.FileName()]}
	}
	// Every copied jar must be a listed artifact and the other way round, or
	// the derived file names would not find them.
	if problems := compareJars(jars, sums); len(problems) > 0 {
		return "", fmt.Errorf("dependency:list and copy-dependencies disagree:\n  %s", strings.Join(problems, "\n  "))
	}
	lock := FormatLock(jars)
	if _, err := ParseLock(lock); err != nil {
		return "", err
	}
	return lock, nil
}

// parseDependencyList reads the output file of `mvn dependency:list`, one
// "group:artifact:type[:classifier]:version:scope" per resolved artifact,
// into lock coordinates (group:artifact:version[:classifier]).
func parseDependencyList(text string) ([]string, error) {
	var coords []string
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		p := strings.Split(f[0], ":")
		var c string
		switch len(p) {
		case 5:
			c = p[0] + ":" + p[1] + ":" + p[3]
		case 6:
			c = p[0] + ":" + p[1] + ":" + p[4] + ":" + p[3]
		default:
			continue // the header and other prose
		}
		if p[2] != "jar" {
			return nil, fmt.Errorf("dependency %s has type %s: the class path takes jars only", f[0], p[2])
		}
		coords = append(coords, c)
	}
	if len(coords) == 0 {
		return nil, fmt.Errorf("mvn dependency:list resolved no artifacts:\n%s", text)
	}
	return coords, nil
}

// maven runs mvn with goals and -D properties on the embedded pom, with the
// runtime class path's scope.
func maven(ctx context.Context, args ...string) error {
	mvn, err := exec.LookPath("mvn")
	if err != nil {
		return fmt.Errorf("fetch needs Maven (`mvn`) on PATH (Debian: apt-get install maven): %w", err)
	}
	work, err := os.MkdirTemp("", "cassandra-pom-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	if err := os.WriteFile(filepath.Join(work, "pom.xml"), pom, 0o644); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, mvn, append([]string{"-q", "-B", "-DincludeScope=runtime"}, args...)...)
	cmd.Dir = work
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("mvn %s for cassandra-all %s: %w\n%s", strings.Join(args, " "), Version, err, out.String())
	}
	return nil
}
