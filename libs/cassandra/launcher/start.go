package launcher

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"time"
)

// Options configure Start. Zero values take the defaults below.
type Options struct {
	Nodes       int           // 1 or 3
	Dir         string        // cluster dir: state, configs, data and logs
	CQLPort     int           // default 9042, the same on every node
	StoragePort int           // default 7000
	JMXPort     int           // node i uses JMXPort+i-1; default 7199
	Heap        string        // -Xms/-Xmx per node; default 512M
	Timeout     time.Duration // for the whole start; default 180s
	CacheDir    string        // default CacheDir() (unused with Lib)
	// Lib is a directory with the pinned jars that was verified elsewhere
	// (cassandratest passes Bazel's @cassandra_jars, which Bazel checked
	// against jars.lock); default the verified fetch in CacheDir.
	Lib string
	// DieWithParent kills the JVMs when this process ends (a test binary's
	// private node); by default they outlive it, for Stop to end.
	DieWithParent bool
	// Secure runs the cluster as production does: clients must use TLS
	// (a CA and node certificate made in DIR/tls) and log in
	// (PasswordAuthenticator, CassandraAuthorizer); the default superuser
	// is replaced by AdminRole, whose password is in AdminPasswordFile.
	Secure bool
	Log    io.Writer // progress messages; default io.Discard
}

func (o *Options) defaults() error {
	if o.Nodes == 0 {
		o.Nodes = 1
	}
	if o.Nodes != 1 && o.Nodes != 3 {
		return fmt.Errorf("--nodes must be 1 or 3, got %d", o.Nodes)
	}
	if o.Dir == "" {
		return errors.New("cluster dir is required")
	}
	abs, err := filepath.Abs(o.Dir)
	if err != nil {
		return err
	}
	o.Dir = abs
	if o.CQLPort == 0 {
		o.CQLPort = 9042
	}
	if o.StoragePort == 0 {
		o.StoragePort = 7000
	}
	if o.JMXPort == 0 {
		o.JMXPort = 7199
	}
	if o.Heap == "" {
		o.Heap = "512M"
	}
	if o.Timeout == 0 {
		o.Timeout = 180 * time.Second
	}
	if o.CacheDir == "" && o.Lib == "" {
		if o.CacheDir, err = CacheDir(); err != nil {
			return err
		}
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	return nil
}

// Start launches the cluster in the background and returns once every node
// answers CQL (and, for 3 nodes, sees the other two). The JVMs outlive the
// caller unless DieWithParent; Stop ends them. If DIR already holds a healthy cluster of the same
// size, Start returns it unchanged, so it is safe to call repeatedly.
func Start(ctx context.Context, o Options) (Cluster, error) {
	if err := o.defaults(); err != nil {
		return Cluster{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()

	if c, err := ReadState(o.Dir); err == nil {
		if c.Secure != o.Secure {
			return c, fmt.Errorf("%s holds a cluster with secure=%t; stop it and remove the dir to change that", o.Dir, c.Secure)
		}
		if running := runningNodes(c); len(running) > 0 {
			if len(running) == len(c.Nodes) && len(c.Nodes) == o.Nodes && allAnswer(ctx, o.Dir, c) {
				fmt.Fprintf(o.Log, "cassandra: already running in %s\n", o.Dir)
				return c, nil
			}
			return c, fmt.Errorf("%s has %d running node(s) that are not a healthy %d-node cluster: run `go run ./tools/cassandra stop --dir %s` first", o.Dir, len(running), o.Nodes, o.Dir)
		}
	}
	nodes := o.nodes()
	if err := checkEphemeral(nodes); err != nil {
		return Cluster{}, err
	}
	java, lib, err := o.prepare()
	if err != nil {
		return Cluster{}, err
	}
	// Checked late, just before the JVMs start: prepare may have taken long.
	for _, n := range nodes {
		for _, p := range n.ports() {
			if err := checkFree(p.host, p.port, p.what); err != nil {
				return Cluster{}, err
			}
		}
	}

	if o.Secure {
		if _, err := writeCerts(o.Dir); err != nil {
			return Cluster{}, fmt.Errorf("make TLS certificates: %w", err)
		}
	}
	access, err := accessFor(o.Dir, o.Secure)
	if err != nil {
		return Cluster{}, err
	}
	c := Cluster{Version: Version, Secure: o.Secure}
	for _, n := range nodes {
		began := time.Now()
		fmt.Fprintf(o.Log, "cassandra: starting node%d on %s\n", n.Index, n.Addr())
		var exited <-chan error
		if n.PID, exited, err = startNode(java, lib, o, n); err != nil {
			return c, err
		}
		c.Nodes = append(c.Nodes, n)
		// Record each pid as soon as it exists so Stop can clean up after a
		// failed start too.
		if err := writeState(o.Dir, c); err != nil {
			return c, err
		}
		// Nodes join one at a time: concurrent bootstraps would race for
		// token ranges.
		if err := waitReady(ctx, n, access, exited); err != nil {
			return c, fmt.Errorf("%w\n%s", err, tail(40, n.SystemLog(), n.StdoutLog()))
		}
		fmt.Fprintf(o.Log, "cassandra: node%d up in %s\n", n.Index, time.Since(began).Round(100*time.Millisecond))
	}
	if o.Nodes > 1 {
		if err := waitPeers(ctx, c, access); err != nil {
			return c, err
		}
	}
	if o.Secure {
		return c, secureRoles(ctx, o.Dir, c, o.Log)
	}
	return c, nil
}

// prepare finds Java and the jars (Options.Lib, or the verified fetch) and
// makes the cluster dir, failing early where Cassandra would fail late.
func (o Options) prepare() (java, lib string, err error) {
	lib = o.Lib
	if lib == "" {
		if !Fetched(o.CacheDir) {
			return "", "", errNotFetched
		}
		lib = LibDir(o.CacheDir)
	}
	java, major, err := Java()
	if err != nil {
		return "", "", err
	}
	fmt.Fprintf(o.Log, "cassandra: Java %d (%s), jars in %s\n", major, java, lib)
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return "", "", err
	}
	return java, lib, checkFileSystem(o.Dir)
}

// startNode starts one node's JVM and returns its pid and a channel that
// yields how the process ended (exit status or signal), should it end while
// this process still runs.
func startNode(java, lib string, o Options, n Node) (int, <-chan error, error) {
	l := layoutFor(o.Dir, n.Index)
	for _, d := range []string{l.Conf, l.Data, l.CommitLog, l.SavedCaches, l.Hints, l.CDC, l.Logs} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return 0, nil, fmt.Errorf("create %s: %w", d, err)
		}
	}
	rf := 1
	if o.Nodes >= 3 {
		rf = 3
	}
	if err := writeYAML(filepath.Join(l.Conf, "cassandra.yaml"), yamlParams{
		ClusterName: "find-peers-dev", Host: n.Host, Seed: "127.0.0.1",
		CQLPort: n.CQLPort, StoragePort: n.StoragePort, ReplicaCount: rf, L: l,
		Secure: o.Secure, TLS: tlsFilesFor(o.Dir),
	}); err != nil {
		return 0, nil, err
	}
	if err := writeLogback(filepath.Join(l.Conf, "logback.xml"), n.SystemLog()); err != nil {
		return 0, nil, err
	}
	out, err := os.OpenFile(n.StdoutLog(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return 0, nil, err
	}
	defer out.Close() // the child keeps its own copy of the descriptor
	tmp := filepath.Join(l.Dir, "tmp")
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return 0, nil, err
	}
	cmd := exec.Command(java, jvmArgs(jvmParams{Lib: lib, Heap: o.Heap,
		JMXPort: n.JMXPort, Seed: n.Index == 1, L: l, TmpDir: tmp})...)
	cmd.Dir = l.Dir
	cmd.Stdout, cmd.Stderr = out, out
	// A session of its own: the JVM does not get the terminal's Ctrl-C, and
	// unless DieWithParent it outlives the launcher (or the `go test` binary
	// that started it).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if o.DieWithParent {
		// Even a SIGKILLed test binary takes its node along.
		cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	}
	started, exited := make(chan error, 1), make(chan error, 1)
	go func() {
		// The kernel sends Pdeathsig when the thread that started the child
		// ends, and Go may end threads: hold this one until the JVM exits.
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		// Reap the child if it dies while we still run, so Alive sees it
		// gone instead of a zombie, and keep how it ended for the error.
		exited <- cmd.Wait()
	}()
	if err := <-started; err != nil {
		return 0, nil, fmt.Errorf("start node%d: %w", n.Index, err)
	}
	return cmd.Process.Pid, exited, nil
}
