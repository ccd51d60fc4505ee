// Command testsummary counts the test cases in the JUnit XML files that
// `bazel test` writes (bazel-testlogs/**/test.xml) and prints one closing
// line, "tests: N passed, N failed, N skipped", plus the failed and skipped
// cases by name. Bazel itself only counts test targets, not test cases.
//
//	go run ./tools/testsummary "$(tools/bazel info bazel-testlogs)"
package main

import (
	"encoding/xml"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

type testCase struct {
	Name      string    `xml:"name,attr"`
	ClassName string    `xml:"classname,attr"`
	Failure   *struct{} `xml:"failure"`
	Error     *struct{} `xml:"error"`
	Skipped   *struct{} `xml:"skipped"`
}

type testSuite struct {
	Cases  []testCase  `xml:"testcase"`
	Suites []testSuite `xml:"testsuite"`
}

type counts struct {
	passed, failed, skipped []string
}

func (c *counts) add(s testSuite) {
	for _, tc := range s.Cases {
		id := tc.ClassName + "." + tc.Name
		switch {
		case tc.Failure != nil || tc.Error != nil:
			c.failed = append(c.failed, id)
		case tc.Skipped != nil:
			c.skipped = append(c.skipped, id)
		default:
			c.passed = append(c.passed, id)
		}
	}
	for _, sub := range s.Suites {
		c.add(sub)
	}
}

func summarize(root string) (counts, int, error) {
	var c counts
	files := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() != "test.xml" {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
		var s testSuite // the root element is <testsuites> or <testsuite>
		if err := xml.Unmarshal(data, &s); err != nil {
			return fmt.Errorf("parse %s: %w", path, err)
		}
		files++
		c.add(s)
		return nil
	})
	return c, files, err
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: testsummary BAZEL_TESTLOGS_DIR")
		os.Exit(2)
	}
	c, files, err := summarize(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "testsummary:", err)
		os.Exit(1)
	}
	if files == 0 {
		fmt.Fprintln(os.Stderr, "testsummary: no test.xml under", os.Args[1])
		os.Exit(1)
	}
	sort.Strings(c.failed)
	sort.Strings(c.skipped)
	for _, id := range c.skipped {
		fmt.Println("skipped:", id)
	}
	for _, id := range c.failed {
		fmt.Println("FAILED:", id)
	}
	fmt.Printf("tests: %d passed, %d failed, %d skipped\n", len(c.passed), len(c.failed), len(c.skipped))
	if len(c.failed) > 0 {
		os.Exit(1)
	}
}
