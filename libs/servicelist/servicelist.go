// Package servicelist names the four services of find-peers: the one list
// the Go tools (the process harness libs/procstack, the demo, the
// end-to-end and fault tests, the benchmark) take them from. The BUILD
// files take theirs from SERVICES in bazel/services.bzl; a test checks that
// the two agree.
package servicelist

// Names are the services in start order: each one's upstreams come before it
// (beacon and tracking own Cassandra keyspaces, the aggregator calls both,
// the gateway calls all three).
var Names = []string{"beacon", "tracking", "aggregator", "gateway"}

// Stateful reports whether the service owns a Cassandra keyspace (and so
// has `migrate` and `seed` subcommands and needs Cassandra to start).
func Stateful(name string) bool { return name == "beacon" || name == "tracking" }
