// Command withstack runs a command against a freshly started find-peers
// system: it starts the four services (libs/procstack) on free loopback ports
// with new, seeded keyspaces, runs the command with GATEWAY_URL, BEACON_URL,
// TRACKING_URL, AGGREGATOR_URL and GATEWAY_API_KEY (the stack's write key)
// in its environment, then stops the
// services, drops the keyspaces and exits with the command's status.
// tools/api-fuzz uses it.
//
//	withstack -bin DIR [-hosts 127.0.0.1:9042] -- command args...
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/find-peers/find-peers/libs/cassandra"
	"github.com/find-peers/find-peers/libs/procstack"
	"github.com/find-peers/find-peers/libs/servicelist"
)

func main() {
	binDir := flag.String("bin", "", "directory with the beacon, tracking, aggregator and gateway executables")
	hosts := flag.String("hosts", os.Getenv("CASSANDRA_HOSTS"), "Cassandra contact points")
	flag.Parse()
	if *binDir == "" || *hosts == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: withstack -bin DIR [-hosts h:p] -- command args...")
		os.Exit(2)
	}
	os.Exit(run(*binDir, *hosts, flag.Args()))
}

func run(binDir, hosts string, command []string) int {
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	id := hex.EncodeToString(suffix)
	beaconKS, trackingKS := "apifuzz_beacon_"+id, "apifuzz_tracking_"+id
	logPath := filepath.Join(os.TempDir(), "withstack-"+id+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer logFile.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var bin procstack.Binaries
	for _, n := range servicelist.Names {
		*bin.Path(n) = filepath.Join(binDir, n)
	}
	s, err := procstack.Start(ctx, procstack.Config{
		Bin:            bin,
		CassandraHosts: hosts, BeaconKeyspace: beaconKS, TrackingKeyspace: trackingKS, Seed: true, Output: logFile,
	})
	defer drop(hosts, beaconKS, trackingKS)
	if err != nil {
		fmt.Fprintf(os.Stderr, "withstack: %v (service logs: %s)\n", err, logPath)
		return 1
	}
	fmt.Fprintf(os.Stderr, "withstack: gateway %s (service logs: %s)\n", s.GatewayURL(), logPath)
	cmd := exec.Command(command[0], command[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	// GATEWAY_API_KEY: the stack's write key, for writes through the gateway.
	cmd.Env = append(os.Environ(), "STACK_LOG="+logPath, "GATEWAY_API_KEY="+s.WriteToken())
	for _, n := range servicelist.Names {
		cmd.Env = append(cmd.Env, strings.ToUpper(n)+"_URL="+s.URL(n))
	}
	rc := 0
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			rc = ee.ExitCode()
		} else {
			fmt.Fprintln(os.Stderr, "withstack:", err)
			rc = 1
		}
	}
	if err := s.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "withstack: stop:", err)
		if rc == 0 {
			rc = 1
		}
	}
	return rc
}

func drop(hosts string, keyspaces ...string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	session, err := cassandra.Connect(ctx, cassandra.Config{Hosts: strings.Split(hosts, ","), Timeout: 30 * time.Second, NumConns: 1})
	if err != nil {
		fmt.Fprintln(os.Stderr, "withstack: drop keyspaces:", err)
		return
	}
	defer session.Close()
	for _, ks := range keyspaces {
		_ = session.Query("DROP KEYSPACE IF EXISTS " + ks).WithContext(ctx).Exec()
	}
}
