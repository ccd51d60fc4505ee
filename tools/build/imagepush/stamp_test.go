package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/find-peers/find-peers/libs/ociimage"
	"github.com/find-peers/find-peers/libs/ociimage/cosigntest"
)

// testHead is the commit the tests' source stamps name.
const testHead = "0123456789abcdef0123456789abcdef01234567"

// sourceStamp writes a workspace status file as tools/workspace-status and
// //images:source_stamp make it (commit time 10:00+02:00) and returns its
// path and commit.
func sourceStamp(t *testing.T) (path, head string) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "source_stamp.txt")
	status := "STABLE_GIT_COMMIT " + testHead + "\nSTABLE_GIT_COMMIT_TIME 2026-11-30T10:00:00+02:00\nSTABLE_GIT_VERSION v1.2.3-4-g0123456\n"
	if err := os.WriteFile(path, []byte(status), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, testHead
}

// TestSourceStamp: the status keys become the stamp; --version wins over
// git describe; a build without a git stamp refuses --stamp and tags "dev".
func TestSourceStamp(t *testing.T) {
	path, head := sourceStamp(t)
	status, err := ReadStatus(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := SourceStamp(status, "")
	want := ociimage.Stamp{Revision: head, Version: "v1.2.3-4-g0123456", Created: time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)}
	if err != nil || st != want {
		t.Errorf("SourceStamp = %+v, %v; want %+v", st, err, want)
	}
	if st, _ := SourceStamp(status, "t1"); st.Version != "t1" {
		t.Errorf("version override: %q", st.Version)
	}
	if got := ShortCommit(status); got != head[:7] {
		t.Errorf("ShortCommit = %q", got)
	}
	empty, _ := ReadStatus("")
	if _, err := SourceStamp(empty, ""); err == nil || !strings.Contains(err.Error(), "tools/workspace-status") {
		t.Errorf("no stamp: err = %v", err)
	}
	if got := ShortCommit(empty); got != "dev" {
		t.Errorf("ShortCommit without a stamp = %q", got)
	}
	if _, err := ReadStatus(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("a missing stamp file was accepted")
	}
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
	stampFile, head := sourceStamp(t)
	sbom := filepath.Join(t.TempDir(), "svc.sbom.spdx.json")
	if err := os.WriteFile(sbom, []byte(`{"spdxVersion":"SPDX-2.3"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	args := []string{"--registry", host, "--tag", "t1", "--stamp", "--source-stamp", stampFile, "--image", "svc=" + dir, "--sbom", "svc=" + sbom}
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
