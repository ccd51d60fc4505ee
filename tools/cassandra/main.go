// Command cassandra fetches, starts and stops a local Apache Cassandra for
// development and tests (see package launcher).
//
//	go run ./tools/cassandra fetch
//	go run ./tools/cassandra start [--nodes 1|3] [--dir DIR] [--cql-port N] [--heap 512M] [--timeout 180s] [--secure]
//	go run ./tools/cassandra provision --keyspace K --role R --password-file F [--dir DIR] [--replication R]
//	go run ./tools/cassandra compose-secrets --dir DIR [--hosts H,...] [--roles R,...]
//	go run ./tools/cassandra status [--dir DIR]
//	go run ./tools/cassandra stop [--dir DIR]
//	go run ./tools/cassandra lock [--out FILE]
//	go run ./tools/cassandra maven-repository
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/find-peers/find-peers/libs/cassandra/launcher"
)

const usage = `usage: cassandra <command> [flags]

commands:
  fetch    download Cassandra %[1]s with Maven into the cache and verify jars.lock
  start    start a 1- or 3-node cluster on 127.0.0.x in the background
           (--secure: TLS and logins required; prints the admin's settings)
  provision
           on a secure cluster: create a keyspace and a role that may use it
           and nothing else (--keyspace K --role R --password-file F)
  compose-secrets
           write (once) the compose stack's CA, node certificate and role
           passwords into --dir (tools/stack-up does)
  status   show the nodes of a cluster dir and whether they answer CQL
  stop     stop the nodes of a cluster dir (SIGTERM, then SIGKILL)
  lock     regenerate libs/cassandra/launcher/jars.lock with Maven
  maven-repository
           print the base URL of the repository this machine's Maven uses for
           Maven Central (tools/bazel passes it to Bazel for @cassandra_jars)

environment:
  FIND_PEERS_CACHE  cache root (default $XDG_CACHE_HOME or ~/.cache, + /find-peers)
  JAVA_HOME         Java 17 (or 11) to run Cassandra with (default: java on PATH,
                    else the newest 17 or 11 in /usr/lib/jvm)
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintf(os.Stderr, usage, launcher.Version)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "fetch":
		err = fetch(ctx, args)
	case "start":
		err = start(ctx, args)
	case "status":
		err = status(ctx, args)
	case "provision":
		err = provision(ctx, args)
	case "compose-secrets":
		err = composeSecrets(args)
	case "stop":
		err = stopCmd(args)
	case "lock":
		err = lock(ctx, args)
	case "maven-repository":
		err = mavenRepository()
	case "-h", "--help", "help":
		fmt.Printf(usage, launcher.Version)
	default:
		fmt.Fprintf(os.Stderr, "cassandra: unknown command %q\n"+usage, cmd, launcher.Version)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "cassandra %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

// defaultDir is where the cluster lives unless --dir says otherwise: next to
// the jars, so that all local Cassandra state is in one place.
func defaultDir() string {
	dir, err := launcher.DefaultClusterDir()
	if err != nil {
		return "cassandra-cluster"
	}
	return dir
}

func fetch(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("fetch", flag.ExitOnError)
	fs.Parse(args)
	cache, err := launcher.CacheDir()
	if err != nil {
		return err
	}
	began := time.Now()
	lib, err := launcher.Fetch(ctx, cache)
	if err != nil {
		return err
	}
	fmt.Printf("cassandra %s jars verified in %s (%s)\n", launcher.Version, lib, time.Since(began).Round(time.Millisecond))
	return nil
}

func start(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("start", flag.ExitOnError)
	var o launcher.Options
	fs.IntVar(&o.Nodes, "nodes", 1, "number of nodes: 1 or 3 (node i listens on 127.0.0.i)")
	fs.StringVar(&o.Dir, "dir", defaultDir(), "cluster dir: state file, configs, data, logs")
	fs.IntVar(&o.CQLPort, "cql-port", 9042, "CQL port of every node")
	fs.IntVar(&o.StoragePort, "storage-port", 7000, "inter-node port of every node")
	fs.IntVar(&o.JMXPort, "jmx-port", 7199, "JMX port of node 1 (node i uses +i-1), loopback only")
	fs.StringVar(&o.Heap, "heap", "512M", "JVM heap per node")
	fs.DurationVar(&o.Timeout, "timeout", 180*time.Second, "give up if the cluster is not up by then")
	fs.BoolVar(&o.Secure, "secure", false, "require TLS and logins; replace the default superuser (see docs/SECURITY.md)")
	fs.Parse(args)
	o.Log = os.Stderr
	began := time.Now()
	c, err := launcher.Start(ctx, o)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "cassandra: %d node(s) up in %s; stop with: go run ./tools/cassandra stop --dir %s\n",
		len(c.Nodes), time.Since(began).Round(100*time.Millisecond), o.Dir)
	fmt.Printf("CASSANDRA_HOSTS=%s\n", c.Hosts())
	if o.Secure {
		fmt.Printf("CASSANDRA_USERNAME=%s\nCASSANDRA_PASSWORD_FILE=%s\nCASSANDRA_TLS_CA=%s\n",
			launcher.AdminRole, launcher.AdminPasswordFile(o.Dir), launcher.CAFile(o.Dir))
	}
	return nil
}

func status(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("status", flag.ExitOnError)
	dir := fs.String("dir", defaultDir(), "cluster dir")
	fs.Parse(args)
	nodes, err := launcher.Status(ctx, *dir)
	if errors.Is(err, os.ErrNotExist) {
		fmt.Printf("no cluster in %s\n", *dir)
		return nil
	}
	if err != nil {
		return err
	}
	up := 0
	for _, n := range nodes {
		state := "stopped"
		switch {
		case n.Running && n.Err == nil:
			state, up = "up (Cassandra "+n.Release+")", up+1
		case n.Running:
			state = fmt.Sprintf("running, CQL not answering: %v", n.Err)
		}
		fmt.Printf("node%d %s pid %d: %s\n", n.Index, n.Addr(), n.PID, state)
	}
	if up != len(nodes) {
		return fmt.Errorf("%d of %d nodes up", up, len(nodes))
	}
	return nil
}

func stopCmd(args []string) error {
	fs := flag.NewFlagSet("stop", flag.ExitOnError)
	dir := fs.String("dir", defaultDir(), "cluster dir")
	grace := fs.Duration("grace", 60*time.Second, "wait this long after SIGTERM before SIGKILL (0: SIGKILL at once)")
	fs.Parse(args)
	return launcher.Stop(*dir, *grace, os.Stderr)
}

func lock(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("lock", flag.ExitOnError)
	// Under `bazel run` the working dir is the runfiles tree; Bazel names the
	// workspace in BUILD_WORKSPACE_DIRECTORY.
	def := filepath.Join("libs", "cassandra", "launcher", "jars.lock")
	if ws := os.Getenv("BUILD_WORKSPACE_DIRECTORY"); ws != "" {
		def = filepath.Join(ws, def)
	}
	out := fs.String("out", def, "lock file to write")
	fs.Parse(args)
	text, err := launcher.Lock(ctx)
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, []byte(text), 0o644); err != nil {
		return fmt.Errorf("write lock: %w", err)
	}
	fmt.Printf("wrote %s; review it, then run fetch\n", *out)
	return nil
}

func mavenRepository() error {
	u, err := launcher.MavenRepository()
	if err != nil {
		return err
	}
	fmt.Println(u)
	return nil
}
