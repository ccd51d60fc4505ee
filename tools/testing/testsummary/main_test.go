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

	// Only the files the build event file names count (b's is listed, a
	// stale one elsewhere is not).
	write("stale/test.xml", `<testsuite><testcase classname="old" name="TestGone"/></testsuite>`)
	bep := filepath.Join(root, "bep.json")
	write("bep.json", `{"id":{"started":{}},"started":{"uuid":"x"}}
{"id":{"testResult":{"label":"//libs/a:a_test","run":1,"shard":1,"attempt":1}},"testResult":{"testActionOutput":[{"name":"test.log","uri":"file://`+root+`/libs/a/a_test/test.log"},{"name":"test.xml","uri":"file://`+root+`/libs/a/a_test/test.xml"}],"status":"FAILED"}}
{"id":{"testResult":{"label":"//libs/b:b_test","run":1,"shard":1,"attempt":1}},"testResult":{"testActionOutput":[{"name":"test.xml","uri":"file://`+root+`/libs/b/b_test/test.xml"}],"status":"FAILED"}}
`)
	files, err := testXMLFiles(bep)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 {
		t.Fatalf("files = %v, want the 2 named in the build events", files)
	}
	c, err := summarize(files)
	if err != nil {
		t.Fatal(err)
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
	if _, err := summarize([]string{filepath.Join(root, "test.xml")}); err == nil {
		t.Fatal("broken test.xml accepted")
	}
}
