// Command testsummary counts the test cases of one `bazel test` run and
// prints one closing line, "tests: N passed, N failed, N skipped", plus the
// failed and skipped cases by name. Bazel itself only counts test targets.
//
// It reads the run's build event protocol file (--build_event_json_file) to
// find the JUnit XML file of every test that ran or was cached in that run,
// so results left in bazel-testlogs by earlier runs are not counted.
//
//	bazel test --build_event_json_file=bep.json //...
//	go run ./tools/testing/testsummary bep.json
package main

import (
	"bufio"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/url"
	"os"
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

// bepEvent is the part of a build event (one JSON object per line) that
// names a test attempt's outputs.
type bepEvent struct {
	TestResult *struct {
		TestActionOutput []struct {
			Name string `json:"name"`
			URI  string `json:"uri"`
		} `json:"testActionOutput"`
	} `json:"testResult"`
}

// testXMLFiles returns the test.xml paths named by the build event file.
func testXMLFiles(bepPath string) ([]string, error) {
	f, err := os.Open(bepPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var files []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var ev bepEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			return nil, fmt.Errorf("parse %s: %w", bepPath, err)
		}
		if ev.TestResult == nil {
			continue
		}
		for _, out := range ev.TestResult.TestActionOutput {
			if out.Name != "test.xml" {
				continue
			}
			u, err := url.Parse(out.URI)
			if err != nil || u.Scheme != "file" {
				return nil, fmt.Errorf("test.xml at %q: not a local file", out.URI)
			}
			files = append(files, u.Path)
		}
	}
	return files, sc.Err()
}

func summarize(files []string) (counts, error) {
	var c counts
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			return c, fmt.Errorf("read %s: %w", path, err)
		}
		var s testSuite // the root element is <testsuites> or <testsuite>
		if err := xml.Unmarshal(data, &s); err != nil {
			return c, fmt.Errorf("parse %s: %w", path, err)
		}
		c.add(s)
	}
	return c, nil
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: testsummary BUILD_EVENT_JSON_FILE")
		os.Exit(2)
	}
	files, err := testXMLFiles(os.Args[1])
	if err == nil && len(files) == 0 {
		err = fmt.Errorf("no test results in %s (did any test run?)", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "testsummary:", err)
		os.Exit(1)
	}
	c, err := summarize(files)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testsummary:", err)
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
