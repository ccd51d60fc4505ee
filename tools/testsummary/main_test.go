package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSummarize(t *testing.T) {
	root := t.TempDir()
	write := func(rel, body string) {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The shape rules_go writes: <testsuites><testsuite><testcase>...
	write("libs/a/a_test/test.xml", `<testsuites><testsuite name="a" tests="3">
  <testcase classname="a" name="TestOK" time="0.1"></testcase>
  <testcase classname="a" name="TestBad" time="0.1"><failure message="Failed">boom</failure></testcase>
  <testcase classname="a" name="TestLater" time="0"><skipped message="Skipped"></skipped></testcase>
</testsuite></testsuites>`)
	write("libs/b/b_test/test.xml", `<testsuite name="b"><testcase classname="b" name="TestX"/><testcase classname="b" name="TestY"><error/></testcase></testsuite>`)
	write("libs/b/b_test/test.log", `not xml`)

	c, files, err := summarize(root)
	if err != nil {
		t.Fatal(err)
	}
	if files != 2 {
		t.Errorf("files = %d, want 2", files)
	}
	if len(c.passed) != 2 || len(c.failed) != 2 || len(c.skipped) != 1 {
		t.Fatalf("passed %v failed %v skipped %v; want 2/2/1", c.passed, c.failed, c.skipped)
	}
	if c.skipped[0] != "a.TestLater" {
		t.Errorf("skipped = %v", c.skipped)
	}
}

func TestSummarizeRejectsBrokenXML(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "test.xml"), []byte("<testsuite><testcase"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := summarize(root); err == nil {
		t.Fatal("broken test.xml accepted")
	}
}
