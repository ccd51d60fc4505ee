package launcher

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeJava writes dir/bin/java, a script that reports Java major.
func fakeJava(t *testing.T, dir string, major int) string {
	t.Helper()
	p := filepath.Join(dir, "bin", "java")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	script := fmt.Sprintf("#!/bin/sh\necho 'openjdk version \"%d.0.1\" 2025-01-01' >&2\n", major)
	if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// A default Java that Cassandra refuses (sid's 25 in the Bazel root) must
// not hide a 17 installed beside it.
func TestJavaFallsBackToInstalledJDKs(t *testing.T) {
	tmp := t.TempDir()
	fakeJava(t, filepath.Join(tmp, "default"), 25)
	t.Setenv("PATH", filepath.Join(tmp, "default", "bin"))
	t.Setenv("JAVA_HOME", "")
	jvms := filepath.Join(tmp, "jvm")
	fakeJava(t, filepath.Join(jvms, "java-11-openjdk"), 11)
	want := fakeJava(t, filepath.Join(jvms, "java-17-openjdk"), 17)
	fakeJava(t, filepath.Join(jvms, "java-25-openjdk"), 25)
	old := jvmDir
	jvmDir = jvms
	t.Cleanup(func() { jvmDir = old })

	path, major, err := Java()
	if err != nil || path != want || major != 17 {
		t.Errorf("Java() = %s, %d, %v; want %s, 17", path, major, err, want)
	}

	// JAVA_HOME wins when Cassandra supports it.
	home := filepath.Join(tmp, "home11")
	fakeJava(t, home, 11)
	t.Setenv("JAVA_HOME", home)
	if path, major, err := Java(); err != nil || major != 11 || !strings.HasPrefix(path, home) {
		t.Errorf("with JAVA_HOME: %s, %d, %v", path, major, err)
	}

	// Nothing usable: say what to install.
	t.Setenv("JAVA_HOME", "")
	jvmDir = filepath.Join(tmp, "none")
	_, _, err = Java()
	if err == nil || !strings.Contains(err.Error(), "openjdk-17-jre-headless") || !strings.Contains(err.Error(), "is Java 25") {
		t.Errorf("no usable Java: %v", err)
	}
}
