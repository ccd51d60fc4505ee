package ociimage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// Cosign runs sigstore's cosign CLI (tools/cosign builds the pinned one) to
// sign and verify images with a key pair. Keyless signing and the
// transparency log need the internet, which this project does not assume:
// signatures are stored next to the image only (sha256-<digest>.sig tag).
type Cosign struct {
	// Bin is the cosign binary.
	Bin string
	// Env is added to the process environment, e.g. COSIGN_PASSWORD=...
	// (never logged).
	Env []string
}

// CosignFromEnv is the cosign binary named by flag, else $COSIGN_BIN, with
// an error saying how to get one when neither is set or it is missing.
func CosignFromEnv(flagValue string, getenv func(string) string) (Cosign, error) {
	p := flagValue
	if p == "" {
		p = getenv("COSIGN_BIN")
	}
	if p == "" {
		return Cosign{}, errors.New("no cosign binary: pass --cosign \"$(tools/cosign --install-only)\" or set COSIGN_BIN")
	}
	if st, err := os.Stat(p); err != nil || st.IsDir() {
		return Cosign{}, fmt.Errorf("cosign binary %s: not found (build it: tools/cosign --install-only)", p)
	}
	return Cosign{Bin: p}, nil
}

// registryFlags lets cosign speak plain HTTP to a local registry, and only
// to one.
func registryFlags(ref string) []string {
	if IsLocalRegistry(ref) {
		return []string{"--allow-http-registry", "--allow-insecure-registry"}
	}
	return nil
}

// Sign signs ref (repo@sha256:..., never a tag: a tag could move between
// push and sign) with the private key file key.
func (c Cosign) Sign(ctx context.Context, ref, key string) error {
	if !strings.Contains(ref, "@sha256:") {
		return fmt.Errorf("sign %s: want a reference by digest", ref)
	}
	args := append([]string{"sign", "--key", key, "--tlog-upload=false", "--yes"}, registryFlags(ref)...)
	_, err := c.run(ctx, append(args, ref)...)
	return err
}

// Verify checks that ref (by tag or digest) carries a signature that pub
// verifies, made over the digest ref resolves to now. It returns cosign's
// JSON description of the verified signatures.
func (c Cosign) Verify(ctx context.Context, ref, pub string) ([]byte, error) {
	// --offline: with a key and no transparency log there is nothing to
	// fetch (cosign would otherwise try sigstore's TUF roots first).
	args := append([]string{"verify", "--key", pub, "--insecure-ignore-tlog=true", "--offline=true"}, registryFlags(ref)...)
	return c.run(ctx, append(args, ref)...)
}

// GenerateKeyPair writes cosign.key and cosign.pub into dir; the private key
// is encrypted with the password in c.Env's COSIGN_PASSWORD.
func (c Cosign) GenerateKeyPair(ctx context.Context, dir string) error {
	_, err := c.runIn(ctx, dir, "generate-key-pair")
	return err
}

func (c Cosign) run(ctx context.Context, args ...string) ([]byte, error) {
	return c.runIn(ctx, "", args...)
}

// runIn runs cosign and returns its stdout; on failure the error carries the
// last lines of its stderr (cosign prints no secrets there).
func (c Cosign) runIn(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, c.Bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), c.Env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("cosign %s: %w: %s", args[0], err, lastLines(stderr.String(), 5))
	}
	return stdout.Bytes(), nil
}

// lastLines keeps cosign's last n lines that are not warnings (it always
// warns that the transparency log is skipped, which the caller chose).
func lastLines(s string, n int) string {
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		if !strings.HasPrefix(l, "WARNING:") {
			lines = append(lines, l)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
