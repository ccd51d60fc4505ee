package e2e

import (
	"testing"

	"github.com/find-peers/find-peers/libs/cassandra/cassandratest"
)

// TestMain stops the private Cassandra that the tests start under Bazel.
func TestMain(m *testing.M) { cassandratest.Main(m) }
