package launcher

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/template"
)

// nodeLayout is where one node keeps its files, all under the cluster dir so
// that removing the dir removes every trace of the cluster.
type nodeLayout struct {
	Dir, Conf, Data, CommitLog, SavedCaches, Hints, CDC, Logs string
}

func layoutFor(clusterDir string, index int) nodeLayout {
	d := filepath.Join(clusterDir, fmt.Sprintf("node%d", index))
	return nodeLayout{
		Dir:         d,
		Conf:        filepath.Join(d, "conf"),
		Data:        filepath.Join(d, "data"),
		CommitLog:   filepath.Join(d, "commitlog"),
		SavedCaches: filepath.Join(d, "saved_caches"),
		Hints:       filepath.Join(d, "hints"),
		CDC:         filepath.Join(d, "cdc_raw"),
		Logs:        filepath.Join(d, "logs"),
	}
}

type yamlParams struct {
	ClusterName  string
	Host         string
	Seed         string
	CQLPort      int
	StoragePort  int
	ReplicaCount int // replication factor the token allocator optimises for
	L            nodeLayout
	Secure       bool     // TLS required, logins and permissions (secureYAML)
	TLS          TLSFiles // of a secure cluster
}

// The settings favour a fast, small, disposable test cluster over durability:
// few tokens (the token allocator keeps them balanced), no snapshots on
// truncate/drop (tests drop a keyspace each), one compactor, small caches.
// SimpleSnitch puts every node in "datacenter1"/"rack1", which is what the
// NetworkTopologyStrategy replication strings of the project refer to.
var yamlTemplate = template.Must(template.New("cassandra.yaml").Parse(`# Written by tools/cassandra; regenerated on every start.
cluster_name: '{{.ClusterName}}'
num_tokens: 16
allocate_tokens_for_local_replication_factor: {{.ReplicaCount}}
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
endpoint_snitch: SimpleSnitch
storage_compatibility_mode: NONE

seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: "{{.Seed}}:{{.StoragePort}}"
listen_address: {{.Host}}
rpc_address: {{.Host}}
storage_port: {{.StoragePort}}
native_transport_port: {{.CQLPort}}
start_native_transport: true

data_file_directories:
  - {{.L.Data}}
commitlog_directory: {{.L.CommitLog}}
saved_caches_directory: {{.L.SavedCaches}}
hints_directory: {{.L.Hints}}
cdc_raw_directory: {{.L.CDC}}

commitlog_sync: periodic
commitlog_sync_period: 10000ms
commitlog_segment_size: 8MiB
auto_snapshot: false
snapshot_before_compaction: false
concurrent_compactors: 1
concurrent_reads: 8
concurrent_writes: 8
concurrent_counter_writes: 8
key_cache_size: 8MiB
prepared_statements_cache_size: 8MiB
{{if .Secure}}{{template "secure" .}}{{else}}authenticator: AllowAllAuthenticator
authorizer: AllowAllAuthorizer
{{end -}}
# Tests create and drop keyspaces quickly; give the schema a little slack.
read_request_timeout: 10000ms
write_request_timeout: 10000ms
request_timeout: 15000ms
`))

// secureYAML is what production runs: every client must speak TLS
// (optional: false) and log in; each role sees only what it was granted.
// The PEM context factory (Cassandra 4.1+) reads the Go-made key and
// certificate directly, with no keytool. The auth caches keep Cassandra's
// defaults (roles, permissions and credentials valid for 2 s), as
// production runs them: with them off every request reads system_auth, and
// the benchmark's cost of security would be a test cluster's, not a real
// one's. A role's change (a new password, a revoke) therefore applies
// within 2 s.
var _ = template.Must(yamlTemplate.New("secure").Parse(`authenticator: PasswordAuthenticator
authorizer: CassandraAuthorizer
role_manager: CassandraRoleManager
client_encryption_options:
  enabled: true
  optional: false
  require_client_auth: false
  keystore: {{.TLS.Keystore}}
  ssl_context_factory:
    class_name: org.apache.cassandra.security.PEMBasedSslContextFactory
`))

func writeYAML(path string, p yamlParams) error {
	var b strings.Builder
	if err := yamlTemplate.Execute(&b, p); err != nil {
		return fmt.Errorf("render cassandra.yaml: %w", err)
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// logback keeps Cassandra's own log in logs/system.log (the file Start shows
// the tail of when a node fails) and nothing on stdout, which the launcher
// reserves for JVM-level failures.
const logbackTemplate = `<configuration scan="false">
  <appender name="FILE" class="ch.qos.logback.core.FileAppender">
    <file>%s</file>
    <encoder><pattern>%%-5level [%%thread] %%date{ISO8601} %%F:%%L - %%msg%%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="FILE"/></root>
</configuration>
`

func writeLogback(path, logFile string) error {
	return os.WriteFile(path, []byte(fmt.Sprintf(logbackTemplate, logFile)), 0o644)
}
