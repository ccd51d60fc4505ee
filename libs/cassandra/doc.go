// Package cassandra is the shared Cassandra data layer of the find-peers
// services: configuration from the environment, a session with sensible
// production policies, context-carrying query helpers, paging, and versioned
// schema migrations.
package cassandra
