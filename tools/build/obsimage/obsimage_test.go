package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDebianVersion(t *testing.T) {
	status := filepath.Join(t.TempDir(), "status")
	text := "Package: adduser\nStatus: install ok installed\nVersion: 3.134\n\n" +
		"Package: prometheus\nStatus: install ok installed\nPriority: optional\nVersion: 2.42.0+ds-5+deb12u1\n\n" +
		"Package: gone\nStatus: deinstall ok config-files\nVersion: 1.0\n"
	if err := os.WriteFile(status, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if v, err := debianVersion(status, "prometheus"); err != nil || v != "2.42.0+ds-5+deb12u1" {
		t.Errorf("prometheus: %q, %v", v, err)
	}
	if _, err := debianVersion(status, "gone"); err == nil {
		t.Error("a removed package counted as installed")
	}
}

func TestWithLine(t *testing.T) {
	p := filepath.Join(t.TempDir(), "passwd")
	if err := os.WriteFile(p, []byte("root:x:0:0:root:/root:/bin/bash"), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := withLine(p, "zipkin:x:998:998:Zipkin:/opt/zipkin:/usr/sbin/nologin")
	if err != nil || string(b) != "root:x:0:0:root:/root:/bin/bash\nzipkin:x:998:998:Zipkin:/opt/zipkin:/usr/sbin/nologin\n" {
		t.Errorf("added: %q, %v", b, err)
	}
	if b, _ := withLine(p, "root:x:1:1::/:"); string(b) != "root:x:0:0:root:/root:/bin/bash" {
		t.Errorf("an existing user was added again: %q", b)
	}
	if f, err := lookupLine(b, "root"); err != nil || f[2] != "0" {
		t.Errorf("lookupLine: %q, %v", f, err)
	}
}
