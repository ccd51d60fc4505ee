// Package faults holds the fault-injection tests: each starts the
// real service processes (libs/procstack) against a real Cassandra, injects one
// fault under a bounded load and prints a table of what it measured.
//
//	TestSIGTERMUnderLoad          graceful shutdown completes in-flight requests
//	TestTrackingCrashThroughGateway  SIGKILL + restart: fast 502/503, recovery, no lost acks
//	TestCassandraNodeLoss         one of 3 nodes killed (RF=3, LOCAL_QUORUM): no lost acks
//	TestSlowClients               slowloris headers and never-reading SSE clients
//	TestSecurityLimits            body/batch/header limits, hop-by-hop headers, no secrets in logs
//
// They need CASSANDRA_HOSTS (TestCassandraNodeLoss: FAULTS_CLUSTER_DIR and
// FAULTS_CLUSTER_HOSTS of a 3-node cluster) and skip without them;
// tools/fault-check starts what they need and records the figures in
// docs/RELIABILITY.md.
package faults
