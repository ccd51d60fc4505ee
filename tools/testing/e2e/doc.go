// Package e2e holds the end-to-end tests of the whole system: the four
// service binaries run as real processes on loopback against a real
// Cassandra, and every check goes through the gateway, as a user's would.
package e2e
