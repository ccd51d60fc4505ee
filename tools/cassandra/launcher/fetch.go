package launcher

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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
	if err := mavenCopy(ctx, tmp); err != nil {
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

// Lock fetches the jars without verifying them and returns the lock file text
// for them: the way to (re)generate jars.sha256 after changing the version.
func Lock(ctx context.Context) (string, error) {
	tmp, err := os.MkdirTemp("", "cassandra-lock-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	if err := mavenCopy(ctx, tmp); err != nil {
		return "", err
	}
	sums, err := HashJars(tmp)
	if err != nil {
		return "", err
	}
	return FormatLock(sums), nil
}

// mavenCopy runs `mvn dependency:copy-dependencies` on the embedded pom.
func mavenCopy(ctx context.Context, outDir string) error {
	mvn, err := exec.LookPath("mvn")
	if err != nil {
		return fmt.Errorf("fetch needs Maven (`mvn`) on PATH: %w", err)
	}
	work, err := os.MkdirTemp("", "cassandra-pom-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	if err := os.WriteFile(filepath.Join(work, "pom.xml"), pom, 0o644); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, mvn, "-q", "-B",
		"dependency:copy-dependencies",
		"-DincludeScope=runtime",
		"-DoutputDirectory="+outDir)
	cmd.Dir = work
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("mvn dependency:copy-dependencies for cassandra-all %s: %w\n%s", Version, err, out.String())
	}
	return nil
}
