package cassandra

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Replication is a keyspace's replication strategy: SimpleStrategy with one
// replication factor, or NetworkTopologyStrategy with one per data center.
type Replication struct {
	Class  string         // "SimpleStrategy" or "NetworkTopologyStrategy"
	Factor int            // SimpleStrategy only
	DCs    map[string]int // NetworkTopologyStrategy only
}

// ParseReplication reads "SimpleStrategy:1" or
// "NetworkTopologyStrategy:dc1=3,dc2=2" (the form of a flag or env var).
func ParseReplication(s string) (Replication, error) {
	class, spec, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok || spec == "" {
		return Replication{}, fmt.Errorf("replication %q: want SimpleStrategy:N or NetworkTopologyStrategy:dc=N[,dc=N]", s)
	}
	switch class {
	case "SimpleStrategy":
		n, err := strconv.Atoi(spec)
		if err != nil || n < 1 {
			return Replication{}, fmt.Errorf("replication %q: factor must be a positive integer", s)
		}
		return Replication{Class: class, Factor: n}, nil
	case "NetworkTopologyStrategy":
		dcs := map[string]int{}
		for _, part := range strings.Split(spec, ",") {
			dc, rf, ok := strings.Cut(strings.TrimSpace(part), "=")
			n, err := strconv.Atoi(rf)
			if !ok || err != nil || n < 1 || !validDC(dc) {
				return Replication{}, fmt.Errorf("replication %q: want dc=N with a positive N, got %q", s, part)
			}
			if _, dup := dcs[dc]; dup {
				return Replication{}, fmt.Errorf("replication %q: data center %s given twice", s, dc)
			}
			dcs[dc] = n
		}
		return Replication{Class: class, DCs: dcs}, nil
	default:
		return Replication{}, fmt.Errorf("replication %q: unknown class %q (SimpleStrategy or NetworkTopologyStrategy)", s, class)
	}
}

// validDC keeps data center names to what can sit safely in a quoted CQL
// string literal (the replication map cannot be a bound parameter).
func validDC(dc string) bool {
	if dc == "" {
		return false
	}
	for _, r := range dc {
		if !(r == '_' || r == '-' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// String is the inverse of ParseReplication.
func (r Replication) String() string {
	if r.Class == "SimpleStrategy" {
		return fmt.Sprintf("SimpleStrategy:%d", r.Factor)
	}
	parts := make([]string, 0, len(r.DCs))
	for _, dc := range sortedKeys(r.DCs) {
		parts = append(parts, fmt.Sprintf("%s=%d", dc, r.DCs[dc]))
	}
	return r.Class + ":" + strings.Join(parts, ",")
}

// CQL renders the replication map of CREATE KEYSPACE ... WITH replication = .
func (r Replication) CQL() (string, error) {
	switch r.Class {
	case "SimpleStrategy":
		if r.Factor < 1 {
			return "", fmt.Errorf("SimpleStrategy needs a replication factor >= 1")
		}
		return fmt.Sprintf("{'class': 'SimpleStrategy', 'replication_factor': %d}", r.Factor), nil
	case "NetworkTopologyStrategy":
		if len(r.DCs) == 0 {
			return "", fmt.Errorf("NetworkTopologyStrategy needs at least one dc=N")
		}
		var b strings.Builder
		b.WriteString("{'class': 'NetworkTopologyStrategy'")
		for _, dc := range sortedKeys(r.DCs) {
			if !validDC(dc) || r.DCs[dc] < 1 {
				return "", fmt.Errorf("bad data center %q=%d", dc, r.DCs[dc])
			}
			fmt.Fprintf(&b, ", '%s': %d", dc, r.DCs[dc])
		}
		b.WriteString("}")
		return b.String(), nil
	default:
		return "", fmt.Errorf("unknown replication class %q", r.Class)
	}
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
