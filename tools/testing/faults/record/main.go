// Command record replaces one generated section of a Markdown document, the
// text between "<!-- BEGIN name -->" and "<!-- END name -->", so that scripts
// (tools/fuzz-check, tools/fault-check, tools/api-fuzz) can write their last
// measured figures into docs/RELIABILITY.md:
//
//	go run ./tools/testing/faults/record -doc docs/RELIABILITY.md -section fault-check -text "..."
//	go run ./tools/testing/faults/record -doc docs/RELIABILITY.md -section fault-check -file results.md
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
)

func main() {
	doc := flag.String("doc", "docs/RELIABILITY.md", "Markdown document to update")
	section := flag.String("section", "", "section name")
	text := flag.String("text", "", "new content")
	file := flag.String("file", "", "read the new content from this file instead")
	flag.Parse()
	if err := run(*doc, *section, *text, *file); err != nil {
		fmt.Fprintln(os.Stderr, "record:", err)
		os.Exit(1)
	}
}

func run(doc, section, text, file string) error {
	if section == "" {
		return fmt.Errorf("-section is required")
	}
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		text = string(b)
	}
	b, err := os.ReadFile(doc)
	if err != nil {
		return err
	}
	out, err := Replace(string(b), section, text)
	if err != nil {
		return fmt.Errorf("%s: %w", doc, err)
	}
	return os.WriteFile(doc, []byte(out), 0o644)
}

// Replace puts text between the section's BEGIN and END markers.
func Replace(doc, section, text string) (string, error) {
	begin := "<!-- BEGIN " + section + " -->"
	end := "<!-- END " + section + " -->"
	i := strings.Index(doc, begin)
	j := strings.Index(doc, end)
	if i < 0 || j < i {
		return "", fmt.Errorf("no %q ... %q markers", begin, end)
	}
	return doc[:i+len(begin)] + "\n" + strings.TrimSpace(text) + "\n" + doc[j:], nil
}
