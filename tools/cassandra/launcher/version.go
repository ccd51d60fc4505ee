// Package launcher fetches a pinned Apache Cassandra release with Maven and
// runs it as a throw-away local cluster on loopback addresses, for development
// and tests. The command tools/cassandra is a thin wrapper around it, and
// libs/cassandra/cassandratest uses it to start a server for `go test`.
package launcher

// Version is the pinned Apache Cassandra release. It must match
// cassandra.version in pom.xml and the jar names in jars.sha256
// (TestPinsAgree checks both).
const Version = "5.0.9"
