package main

import (
	"embed"
	"io/fs"
)

//go:embed schema/*.cql
var schemaFiles embed.FS

// schemaFS holds the versioned CQL migrations of tracking_service, for
// libs/cassandra.Migrate.
var schemaFS fs.FS = schemaFiles
