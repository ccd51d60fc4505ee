package cassandra

import "testing"

func TestParseReplication(t *testing.T) {
	for in, want := range map[string]string{
		"SimpleStrategy:1":                          "{'class': 'SimpleStrategy', 'replication_factor': 1}",
		"SimpleStrategy:3":                          "{'class': 'SimpleStrategy', 'replication_factor': 3}",
		"NetworkTopologyStrategy:datacenter1=3":     "{'class': 'NetworkTopologyStrategy', 'datacenter1': 3}",
		"NetworkTopologyStrategy:eu-west=2, dc1=1 ": "{'class': 'NetworkTopologyStrategy', 'dc1': 1, 'eu-west': 2}",
	} {
		r, err := ParseReplication(in)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		got, err := r.CQL()
		if err != nil || got != want {
			t.Errorf("%s -> %q, %v; want %q", in, got, err, want)
		}
		again, err := ParseReplication(r.String())
		if err != nil || again.String() != r.String() {
			t.Errorf("%s does not round-trip: %q", in, r.String())
		}
	}
}

func TestParseReplicationErrors(t *testing.T) {
	for _, in := range []string{
		"", "SimpleStrategy", "SimpleStrategy:", "SimpleStrategy:0", "SimpleStrategy:x",
		"NetworkTopologyStrategy:", "NetworkTopologyStrategy:dc1", "NetworkTopologyStrategy:dc1=0",
		"NetworkTopologyStrategy:dc1=1,dc1=2", "NetworkTopologyStrategy:dc'1=3",
		"EverywhereStrategy:1", "simplestrategy:1",
	} {
		if r, err := ParseReplication(in); err == nil {
			t.Errorf("%q accepted as %+v", in, r)
		}
	}
}

func TestReplicationCQLRejectsInvalid(t *testing.T) {
	for _, r := range []Replication{
		{Class: "SimpleStrategy"},
		{Class: "NetworkTopologyStrategy"},
		{Class: "NetworkTopologyStrategy", DCs: map[string]int{"x'}; DROP": 1}},
		{Class: "Other", Factor: 1},
	} {
		if s, err := r.CQL(); err == nil {
			t.Errorf("%+v rendered as %s", r, s)
		}
	}
}
