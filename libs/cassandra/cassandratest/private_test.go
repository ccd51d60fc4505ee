package cassandratest

import "testing"

func TestRandomPortsAreDistinctAndInRange(t *testing.T) {
	for range 1000 {
		c, s, j := randomPorts()
		if c == s || s == j || c == j || min(c, s, j) < 20000 || max(c, s, j) > 26999 {
			t.Fatalf("randomPorts() = %d, %d, %d", c, s, j)
		}
	}
}
