package main

import (
	"testing"

	"github.com/find-peers/find-peers/libs/cassandra/cassandratest"
)

// TestSchemaCapsSpeculativeRetry: after the migrations, a read that asked a
// replica which has just died asks another after at most 100 ms
// (schema/0002_speculative_retry.cql; docs/RELIABILITY.md, node loss).
func TestSchemaCapsSpeculativeRetry(t *testing.T) {
	s, ks := cassandratest.Keyspace(t, schemaFS)
	for _, table := range []string{"beacons_by_location", "beacons_by_id"} {
		if got := cassandratest.TableOption(t, s, ks, table, "speculative_retry"); got != "MIN(99p,100ms)" {
			t.Errorf("%s speculative_retry = %q, want MIN(99p,100ms)", table, got)
		}
	}
}
