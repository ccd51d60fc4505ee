package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/find-peers/find-peers/libs/ociimage"
	"github.com/find-peers/find-peers/libs/ociimage/cosigntest"
)

// gitCheckout makes a one-commit git repository with a fixed commit time and
// returns its directory and HEAD.
func gitCheckout(t *testing.T) (dir, head string) {
	t.Helper()
	dir = t.TempDir()
	git := func(args ...string) string {
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		// A private HOME and no system config: the same result in Bazel's
		// sandbox and on a laptop with its own git settings.
		cmd.Env = append(os.Environ(), "HOME="+dir, "GIT_CONFIG_NOSYSTEM=1", "GIT_COMMITTER_DATE=2026-11-30T10:00:00+02:00", "GIT_AUTHOR_DATE=2026-11-30T10:00:00+02:00",
			"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t")
		b, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, b)
		}
		return strings.TrimSpace(string(b))
	}
	git("init", "-q")
	git("commit", "-q", "--allow-empty", "-m", "c")
	return dir, git("rev-parse", "HEAD")
}

// TestPushStampedWithSBOM: --stamp pushes a new digest carrying the commit's
// labels (the layout on disk keeps its digest), printed next to the built
// one; --sbom attaches the SBOM to the pushed digest.
func TestPushStampedWithSBOM(t *testing.T) {
	host := cosigntest.Registry(t)
	dir := testLayout(t)
	local, err := ociimage.ReadLayoutIndex(dir)
	if err != nil {
		t.Fatal(err)
	}
	built, _ := local.Digest()
	ws, head := gitCheckout(t)
	t.Setenv("BUILD_WORKSPACE_DIRECTORY", ws)
	sbom := filepath.Join(t.TempDir(), "svc.sbom.spdx.json")
	if err := os.WriteFile(sbom, []byte(`{"spdxVersion":"SPDX-2.3"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	args := []string{"--registry", host, "--tag", "t1", "--stamp", "--image", "svc=" + dir, "--sbom", "svc=" + sbom}
	if err := run(context.Background(), args, &out); err != nil {
		t.Fatalf("push: %v\n%s", err, out.String())
	}
	t.Logf("push output:\n%s", out.String())
	// The commit time in UTC: 10:00+02:00.
	stamped, err := ociimage.StampIndex(local, ociimage.Stamp{Revision: head, Version: "t1", Created: time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	sd, _ := stamped.Digest()
	if sd == built {
		t.Fatal("stamping did not change the digest")
	}
	if again, _ := local.Digest(); again != built {
		t.Errorf("the layout's digest changed: %s -> %s", built, again)
	}
	repo := host + "/find-peers/svc"
	for _, s := range []string{"built " + built.String(), "revision " + head, "created 2026-11-30T08:00:00Z", repo + "@" + sd.String()} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("output lacks %q", s)
		}
	}
	docs, err := ociimage.SBOMs(context.Background(), repo, sd)
	if err != nil || len(docs) != 1 || string(docs[0]) != `{"spdxVersion":"SPDX-2.3"}` {
		t.Errorf("SBOM referrers of the pushed digest: %q (%v)", docs, err)
	}
}

// TestSignWithoutCosignFailsFirst: asking to sign without a cosign binary
// fails with a clear message before anything is pushed.
func TestSignWithoutCosignFailsFirst(t *testing.T) {
	t.Setenv("COSIGN_BIN", "")
	var out bytes.Buffer
	err := run(context.Background(), []string{"--registry", "127.0.0.1:1", "--sign-key", "k", "--image", "svc=" + testLayout(t)}, &out)
	if err == nil || !strings.Contains(err.Error(), "tools/cosign --install-only") {
		t.Fatalf("err = %v, want one naming tools/cosign", err)
	}
	if out.Len() != 0 {
		t.Errorf("pushed before failing:\n%s", out.String())
	}
	// A cosign binary but no key file (COSIGN_KEY names it too).
	t.Setenv("COSIGN_BIN", os.Args[0])
	t.Setenv("COSIGN_KEY", filepath.Join(t.TempDir(), "missing.key"))
	err = run(context.Background(), []string{"--registry", "127.0.0.1:1", "--image", "svc=" + testLayout(t)}, &out)
	if err == nil || !strings.Contains(err.Error(), "missing.key") || out.Len() != 0 {
		t.Fatalf("missing key: err = %v, output %q", err, out.String())
	}
}
