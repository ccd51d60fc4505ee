package main

import (
	_ "embed"
	"fmt"
	"strings"
	"text/template"

	"github.com/find-peers/find-peers/libs/loadgen"
)

// benchmarksTemplate is docs/BENCHMARKS.md with the numbers left out.
//
//go:embed benchmarks.md.tmpl
var benchmarksTemplate string

var benchmarksPage = template.Must(template.New("BENCHMARKS.md").Funcs(template.FuncMap{
	"f0":              func(v float64) string { return fmt.Sprintf("%.0f", v) },
	"float":           func(v int64) float64 { return float64(v) },
	"f2":              func(v float64) string { return fmt.Sprintf("%.2f", v) },
	"div":             func(a, b float64) float64 { return a / b },
	"mib":             mib,
	"joinF2":          floats,
	"joinF0":          func(v []float64) string { return joinFormatted(v, "%.0f") },
	"phaseRuns":       func() int { return phaseRuns },
	"quietTimeout":    func() string { return quietTimeout.String() },
	"securityBeacons": func() int { return securityBeacons },
	"runsTable": func(runs []*loadgen.Result) (string, error) {
		var b strings.Builder
		err := loadgen.WriteTable(&b, runs)
		return b.String(), err
	},
}).Parse(benchmarksTemplate))

// renderMarkdown renders docs/BENCHMARKS.md: the results r, then the
// hand-written analysis (docs/benchmarks/ANALYSIS.md) when there is one.
func renderMarkdown(r *Results, analysis string) (string, error) {
	var b strings.Builder
	err := benchmarksPage.Execute(&b, struct {
		R        *Results
		Analysis string
	}{r, analysis})
	return b.String(), err
}

func joinFormatted(v []float64, format string) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprintf(format, x)
	}
	return strings.Join(s, ", ")
}
