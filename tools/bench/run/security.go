package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/find-peers/find-peers/libs/cassandra"
	"github.com/find-peers/find-peers/libs/cassandra/launcher"
	"github.com/find-peers/find-peers/libs/loadgen"
	"github.com/find-peers/find-peers/libs/procstack"
)

// SecuritySection is what authentication and TLS cost, measured side by
// side in one run. The "open" stack: a plain Cassandra and a gateway that
// needs no key (-read-access open, -write-access open). The "secure"
// stack: a Cassandra that requires TLS and a login, each stateful service
// logged in as its own role, and a gateway that needs a key for every API
// request (-read-access key). Both Cassandra nodes are started here, fresh
// and alike (the benchmark's main node carries section 1's rows and
// compactions, which once made "open" the slower side). The modes run in
// interleaved rounds and are compared by their medians; every ratio is
// secure / open.
type SecuritySection struct {
	Rounds int               `json:"rounds"`
	Runs   []*loadgen.Result `json:"runs"`
	// Rows/s of raw gocql with tracking's batching: TLS + login / plain.
	RawRatio float64 `json:"rawBatchedSecureVsOpen"`
	// Rows/s of HTTP batch ingest through the gateway.
	IngestRatio float64 `json:"gatewayIngestSecureVsOpen"`
	// Aggregator latency through the gateway (5 beacons), p50 and p99.
	FanoutP50Ratio float64 `json:"fanoutP50SecureVsOpen"`
	FanoutP99Ratio float64 `json:"fanoutP99SecureVsOpen"`
}

// sideStack is one side of a side-by-side comparison (sections 2b, 2c).
type sideStack struct {
	name  string
	stack *procstack.Stack
	token string // the gateway write key ("" for the open stack)
	// readToken goes with reads ("" where the gateway reads openly).
	readToken string
	raw       cassandra.Config // for the raw gocql runs (2b only)
	location  string           // a location with securityBeacons beacons and sightings
}

const securityBeacons = 5

func securitySection(ctx context.Context, o options, work string, logs *os.File) (*SecuritySection, error) {
	openDir, secureDir := filepath.Join(work, "cassandra-open"), filepath.Join(work, "cassandra-secure")
	plain, err := startNode(ctx, openDir, o.cqlPort+1, false)
	if err != nil {
		return nil, err
	}
	defer stopNode(openDir)
	secureNode, err := startNode(ctx, secureDir, o.cqlPort+2, true)
	if err != nil {
		return nil, err
	}
	defer stopNode(secureDir)
	secure, err := startSecureStack(ctx, o, secureNode, secureDir, logs)
	if err != nil {
		return nil, err
	}
	defer secure.stack.Stop()
	open, err := startOpenStack(ctx, o, plain.Hosts(), logs)
	if err != nil {
		return nil, err
	}
	defer open.stack.Stop()
	return compareSecurity(ctx, o, []*sideStack{open, secure})
}

// startNode starts a fresh one-node Cassandra in dir, secure (TLS required,
// logins, the launcher's admin role) or plain.
func startNode(ctx context.Context, dir string, port int, secure bool) (launcher.Cluster, error) {
	kind := "a plain"
	if secure {
		kind = "a secure (TLS required, logins, a role per service)"
	}
	step("  starting %s Cassandra on 127.0.0.1:%d", kind, port)
	if err := os.RemoveAll(dir); err != nil {
		return launcher.Cluster{}, err
	}
	return launcher.Start(ctx, launcher.Options{Nodes: 1, Dir: dir, CQLPort: port,
		StoragePort: port - 42, JMXPort: port + 157, Secure: secure, Log: os.Stderr})
}

func stopNode(dir string) {
	if err := launcher.Stop(dir, time.Minute, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
	}
}

// startSecureStack provisions the two services' roles on the secure node
// and starts the system on it with a gateway that needs a key for reads too.
func startSecureStack(ctx context.Context, o options, c launcher.Cluster, dir string, logs *os.File) (*sideStack, error) {
	admin, err := launcher.AdminAccess(dir)
	if err != nil {
		return nil, err
	}
	hosts := strings.Split(c.Hosts(), ",")
	base := func(ks, user, password string) cassandra.Config {
		cfg, _ := cassandra.FromEnv(ks) // the services' defaults, as the ingest section's raw session
		cfg.Hosts = hosts
		cfg.Security = cassandra.Security{Username: user, Password: cassandra.Secret(password), TLSCA: launcher.CAFile(dir)}
		return cfg
	}
	session, err := cassandra.Connect(ctx, base("", admin.Username, admin.Password))
	if err != nil {
		return nil, fmt.Errorf("secure Cassandra admin login: %w", err)
	}
	defer session.Close()
	repl, err := cassandra.ParseReplication("SimpleStrategy:1")
	if err != nil {
		return nil, err
	}
	env := map[string][]string{}
	passwords := map[string]string{}
	for _, ks := range []string{benchBeaconKS, benchTrackingKS} {
		pw := rand.Text()
		if err := cassandra.Provision(ctx, session, ks, repl, ks, cassandra.Secret(pw)); err != nil {
			return nil, err
		}
		file := filepath.Join(dir, "secrets", ks+".password")
		if err := os.WriteFile(file, []byte(pw+"\n"), 0o600); err != nil {
			return nil, err
		}
		passwords[ks] = pw
		env[ks] = []string{cassandra.EnvUsername + "=" + ks, cassandra.EnvPasswordFile + "=" + file, cassandra.EnvTLSCA + "=" + launcher.CAFile(dir)}
	}
	s, err := procstack.Start(ctx, procstack.Config{
		Bin: o.bin, CassandraHosts: c.Hosts(), Output: logs,
		BeaconKeyspace: benchBeaconKS, TrackingKeyspace: benchTrackingKS,
		BeaconEnv: env[benchBeaconKS], TrackingEnv: env[benchTrackingKS],
		GatewayEnv: []string{"GATEWAY_READ_ACCESS=key"},
	})
	if err != nil {
		return nil, fmt.Errorf("secure stack: %w", err)
	}
	return &sideStack{name: "secure", stack: s, token: s.WriteToken(), readToken: s.WriteToken(),
		raw: base(benchTrackingKS, benchTrackingKS, passwords[benchTrackingKS])}, nil
}

// startOpenStack starts the system on the plain node with a gateway that
// asks for no key.
func startOpenStack(ctx context.Context, o options, hosts string, logs *os.File) (*sideStack, error) {
	s, err := procstack.Start(ctx, procstack.Config{
		Bin: o.bin, CassandraHosts: hosts, Output: logs,
		BeaconKeyspace: benchBeaconKS, TrackingKeyspace: benchTrackingKS,
		GatewayEnv: []string{"GATEWAY_READ_ACCESS=open", "GATEWAY_WRITE_ACCESS=open"},
	})
	if err != nil {
		return nil, fmt.Errorf("open stack: %w", err)
	}
	raw, err := cassandra.FromEnv(benchTrackingKS)
	if err != nil {
		return nil, err
	}
	raw.Hosts = strings.Split(hosts, ",")
	return &sideStack{name: "open", stack: s, raw: raw}, nil
}
