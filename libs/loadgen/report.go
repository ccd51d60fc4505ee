package loadgen

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
)

// WriteTable prints results as an aligned human-readable table.
func WriteTable(w io.Writer, results []*Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "name\tmode\tconc\tops\tok/s\titems/s\tp50 ms\tp90 ms\tp99 ms\tmax ms\terrors\tstatuses\t")
	for _, r := range results {
		mode := r.Mode
		if r.Mode == "open" {
			mode = fmt.Sprintf("open@%g/s", r.Rate)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.1f\t%.1f\t%.2f\t%.2f\t%.2f\t%.2f\t%d\t%s\t\n",
			r.Name, mode, r.Concurrency, r.Ops, r.Throughput, r.ItemsPerSec,
			r.Latency.P50, r.Latency.P90, r.Latency.P99, r.Latency.Max, r.Errors, StatusString(r.Statuses))
	}
	return tw.Flush()
}

// StatusString renders status counts sorted by status: "201:950 503:50".
func StatusString(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s:%d", k, m[k])
	}
	return strings.Join(parts, " ")
}
