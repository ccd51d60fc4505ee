// Package launcher fetches a pinned Apache Cassandra release with Maven and
// runs it as a throw-away local cluster on loopback addresses, for development
// and tests. The command tools/cassandra is a thin wrapper around it, and
// libs/cassandra/cassandratest uses it to start a server for tests: a shared
// one from the fetched jars under `go test`, a private one per test binary
// from Bazel's copy of the same jars (@cassandra_jars) under `bazel test`.
//
// jars.lock pins the jars (Maven coordinates and sha256); both `fetch` and
// bazel/cassandra.bzl read it. MavenRepository tells Bazel where Maven would
// download them from.
package launcher

// Version is the pinned Apache Cassandra release. It must match
// cassandra.version in pom.xml and the jars in jars.lock (TestPinsAgree
// checks both).
const Version = "5.0.9"
