package cassandra_test

import (
	"testing"
	"testing/fstest"
	"time"

	"github.com/gocql/gocql"

	"github.com/find-peers/find-peers/libs/cassandra"
	"github.com/find-peers/find-peers/libs/cassandra/cassandratest"
)

// A fresh session answers at once (round robin while the keyspace metadata
// is read after Connect returned), then token-aware routing takes over and
// still answers; the metadata it needed, the replication, is there.
func TestConnectRoutesBeforeAndAfterTokenAwareStarts(t *testing.T) {
	_, ks := cassandratest.Keyspace(t, fstest.MapFS{"0001_init.cql": {Data: []byte(v1)}})
	s, live, err := cassandra.ConnectRouting(cassandratest.Context(t, time.Minute), cassandratest.Config(t, ks))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	read := func(when string) {
		t.Helper()
		var label string
		// id is the partition key: a routing key the token-aware policy uses.
		if err := s.Query("SELECT label FROM items WHERE id = ?", 1).Consistency(gocql.One).Scan(&label); err != nil || label != "semi;colon" {
			t.Fatalf("%s: label %q, %v", when, label, err)
		}
	}
	read("right after Connect")
	for deadline := time.Now().Add(30 * time.Second); !live(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("token-aware routing did not start within 30s")
		}
	}
	read("with token-aware routing")
	meta, err := s.KeyspaceMetadata(ks)
	if err != nil || meta.StrategyClass == "" {
		t.Fatalf("keyspace metadata: %+v, %v", meta, err)
	}
}
