package systemcheck

import (
	"fmt"
	"io"
	"time"
)

// Steps runs named, timed steps and keeps a table of them.
type Steps struct {
	Out  io.Writer
	rows []string
}

// Run prints the step's name, runs fn and prints its outcome and duration.
func (s *Steps) Run(name string, fn func() error) error {
	fmt.Fprintf(s.Out, "=== %s\n", name)
	t := time.Now()
	err := fn()
	d := time.Since(t).Round(100 * time.Millisecond)
	status := "ok"
	if err != nil {
		status = "FAIL: " + err.Error()
	}
	fmt.Fprintf(s.Out, "--- %s (%s) %s\n", status, d, name)
	s.rows = append(s.rows, fmt.Sprintf("%-72s %8s  %s", name, d, map[bool]string{true: "ok", false: "FAIL"}[err == nil]))
	return err
}

// Table prints every step's duration and outcome.
func (s *Steps) Table(title string) {
	fmt.Fprintf(s.Out, "\n%s timings:\n", title)
	for _, r := range s.rows {
		fmt.Fprintln(s.Out, "  "+r)
	}
}
