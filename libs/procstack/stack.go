// Package procstack runs the whole find-peers system as local processes: it
// migrates and seeds the beacon and tracking keyspaces with the services' own
// `seed` subcommands, starts beacon, tracking, aggregator and gateway on
// loopback ports, and waits until every one answers /readyz. The demo
// (tools/demo) and the end-to-end tests (tools/testing/e2e) both use it, so what the
// tests check is exactly what a user runs.
package procstack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Binaries are the paths of the four service executables.
type Binaries struct {
	Beacon, Tracking, Aggregator, Gateway string
}

// Config says what to run and where.
type Config struct {
	Bin            Binaries
	CassandraHosts string // e.g. 127.0.0.1:9042
	// Keyspaces of the two stateful services; empty means the services'
	// defaults (beacon_service, tracking_service).
	BeaconKeyspace, TrackingKeyspace string
	// BeaconEnv and TrackingEnv are added to the environment of that
	// service's migrate/seed and serve: on a secure cluster its own role and
	// TLS settings (CASSANDRA_USERNAME, CASSANDRA_PASSWORD_FILE,
	// CASSANDRA_TLS_CA), so each service logs in as itself.
	BeaconEnv, TrackingEnv []string
	// Replication for the seed's migration, e.g. "SimpleStrategy:1".
	Replication string
	// Ports; 0 picks a free loopback port.
	BeaconPort, TrackingPort, AggregatorPort, GatewayPort int
	// Seed runs `seed` (migrate + demo data) for beacon and tracking first;
	// otherwise only `migrate`.
	Seed bool
	// Output receives every process's log lines, prefixed with its name.
	Output io.Writer
	// ReadyTimeout bounds the wait for each service's /readyz.
	ReadyTimeout time.Duration
	// Env is added to every service's environment (its migrate/seed runs
	// too), before the service's own: e.g. the OTEL_* tracing variables.
	Env []string
	// GatewayEnv is added to the gateway's environment last, so it wins:
	// e.g. GATEWAY_RATE_LIMIT=5 or GATEWAY_READ_ACCESS=key. By default the
	// gateway has the stack's API key file (WriteToken, ReadToken) and no
	// rate limit: tests and benchmarks measure the services, not it.
	GatewayEnv []string
}

// Stack is a running system.
type Stack struct {
	cfg   Config
	procs []*process
	urls  map[string]string
	keys  *apiKeys
}

// URL returns the base URL of a service ("beacon", "tracking", "aggregator",
// "gateway").
func (s *Stack) URL(service string) string { return s.urls[service] }

// GatewayURL is where a user talks to the system.
func (s *Stack) GatewayURL() string { return s.urls["gateway"] }

// Start prepares the keyspaces and starts the four services in dependency
// order. On error, whatever was started is stopped again.
func Start(ctx context.Context, cfg Config) (_ *Stack, err error) {
	if cfg.CassandraHosts == "" {
		return nil, errors.New("stack: no Cassandra hosts")
	}
	if cfg.Output == nil {
		cfg.Output = io.Discard
	}
	if cfg.ReadyTimeout == 0 {
		cfg.ReadyTimeout = 60 * time.Second
	}
	if cfg.Replication == "" {
		cfg.Replication = "SimpleStrategy:1"
	}
	for _, p := range []*int{&cfg.BeaconPort, &cfg.TrackingPort, &cfg.AggregatorPort, &cfg.GatewayPort} {
		if *p == 0 {
			if *p, err = freePort(); err != nil {
				return nil, err
			}
		}
	}
	s := &Stack{cfg: cfg, urls: map[string]string{
		"beacon":     url(cfg.BeaconPort),
		"tracking":   url(cfg.TrackingPort),
		"aggregator": url(cfg.AggregatorPort),
		"gateway":    url(cfg.GatewayPort),
	}}
	defer func() {
		if err != nil {
			s.Stop()
		}
	}()
	if s.keys, err = newAPIKeys(); err != nil {
		return nil, err
	}

	prepare := "migrate"
	if cfg.Seed {
		prepare = "seed"
	}
	beaconEnv := s.cassandraEnv(cfg.BeaconKeyspace, slices.Concat(cfg.Env, cfg.BeaconEnv))
	trackingEnv := s.cassandraEnv(cfg.TrackingKeyspace, slices.Concat(cfg.Env, cfg.TrackingEnv))
	for _, svc := range []struct {
		name, bin string
		env       []string
	}{
		{"beacon", cfg.Bin.Beacon, beaconEnv},
		{"tracking", cfg.Bin.Tracking, trackingEnv},
	} {
		if err := s.runOnce(ctx, svc.name+"-"+prepare, svc.bin, svc.env, prepare, "--replication", cfg.Replication); err != nil {
			return nil, err
		}
	}

	services := []struct {
		name, bin string
		env       []string
	}{
		{"beacon", cfg.Bin.Beacon, append(beaconEnv, "BEACON_LISTEN_ADDR="+addr(cfg.BeaconPort))},
		{"tracking", cfg.Bin.Tracking, append(trackingEnv, "TRACKING_LISTEN_ADDR="+addr(cfg.TrackingPort))},
		{"aggregator", cfg.Bin.Aggregator, slices.Concat(cfg.Env, []string{
			"AGGREGATOR_LISTEN_ADDR=" + addr(cfg.AggregatorPort),
			"AGGREGATOR_BEACON_URL=" + s.urls["beacon"],
			"AGGREGATOR_TRACKING_URL=" + s.urls["tracking"],
		})},
		{"gateway", cfg.Bin.Gateway, slices.Concat(cfg.Env, []string{
			"GATEWAY_LISTEN_ADDR=" + addr(cfg.GatewayPort),
			"GATEWAY_BEACON_URL=" + s.urls["beacon"],
			"GATEWAY_TRACKING_URL=" + s.urls["tracking"],
			"GATEWAY_AGGREGATOR_URL=" + s.urls["aggregator"],
			"GATEWAY_API_KEYS_FILE=" + s.keys.file,
			"GATEWAY_API_KEYS_POLL=500ms",
			"GATEWAY_RATE_LIMIT=0",
		}, cfg.GatewayEnv)},
	}
	for _, svc := range services {
		p, err := s.start(svc.name, svc.bin, svc.env)
		if err != nil {
			return nil, err
		}
		if err := waitReady(ctx, p, s.urls[svc.name]+"/readyz", cfg.ReadyTimeout); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Stop sends SIGTERM to every service, newest first, and waits for each to
// exit (SIGKILL after 15 s), then removes the API key file. It returns the
// first unclean exit.
func (s *Stack) Stop() error {
	var first error
	for i := len(s.procs) - 1; i >= 0; i-- {
		if err := s.procs[i].stop(15 * time.Second); err != nil && first == nil {
			first = err
		}
	}
	s.procs = nil
	if s.keys != nil {
		_ = os.RemoveAll(s.keys.dir)
	}
	return first
}

// Restart stops one service and starts it again with the same settings (for
// recovery tests); it returns once the service is ready.
func (s *Stack) Restart(ctx context.Context, service string) error {
	for i, p := range s.procs {
		if p.name != service {
			continue
		}
		if err := p.stop(15 * time.Second); err != nil {
			return err
		}
		np, err := s.spawn(p.name, p.bin, p.env)
		if err != nil {
			return err
		}
		s.procs[i] = np
		return waitReady(ctx, np, s.urls[service]+"/readyz", s.cfg.ReadyTimeout)
	}
	return fmt.Errorf("stack: no service %q", service)
}

// cassandraEnv is a stateful service's Cassandra environment: the hosts,
// its keyspace, then extra (its role). A new slice each call, so appending
// to one service's env never changes another's.
func (s *Stack) cassandraEnv(keyspace string, extra []string) []string {
	env := []string{"CASSANDRA_HOSTS=" + s.cfg.CassandraHosts}
	if keyspace != "" {
		env = append(env, "CASSANDRA_KEYSPACE="+keyspace)
	}
	return append(env, extra...)
}

// runOnce runs a one-shot subcommand (migrate, seed) to completion.
func (s *Stack) runOnce(ctx context.Context, name, bin string, env []string, args ...string) error {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	w := prefixWriter(s.cfg.Output, name)
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("stack: %s %v: %w", bin, args, err)
	}
	return nil
}

func (s *Stack) start(name, bin string, env []string) (*process, error) {
	p, err := s.spawn(name, bin, env)
	if err != nil {
		return nil, err
	}
	s.procs = append(s.procs, p)
	return p, nil
}

func (s *Stack) spawn(name, bin string, env []string) (*process, error) {
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), env...)
	w := prefixWriter(s.cfg.Output, name)
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("stack: start %s: %w", name, err)
	}
	p := &process{name: name, bin: bin, env: env, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

type process struct {
	name, bin string
	env       []string
	cmd       *exec.Cmd
	done      chan struct{}
	err       error // valid after done is closed
	stopOnce  sync.Once
	stopErr   error
}

func (p *process) stop(grace time.Duration) error {
	p.stopOnce.Do(func() {
		select {
		case <-p.done:
			p.stopErr = fmt.Errorf("stack: %s had already exited: %v", p.name, p.err)
			return
		default:
		}
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
			if p.err != nil {
				p.stopErr = fmt.Errorf("stack: %s exited after SIGTERM: %w", p.name, p.err)
			}
		case <-time.After(grace):
			_ = p.cmd.Process.Kill()
			<-p.done
			p.stopErr = fmt.Errorf("stack: %s did not stop within %s of SIGTERM; killed", p.name, grace)
		}
	})
	return p.stopErr
}

// waitReady polls url until it answers 200, the process exits, or the
// timeout passes.
func waitReady(ctx context.Context, p *process, url string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	last := errors.New("no answer yet")
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := client.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Errorf("status %d", resp.StatusCode)
		} else {
			last = err
		}
		select {
		case <-p.done:
			return fmt.Errorf("stack: %s exited before it was ready: %v", p.name, p.err)
		case <-ctx.Done():
			return fmt.Errorf("stack: %s not ready within %s (%s): %v", p.name, timeout, url, last)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("stack: pick a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func addr(port int) string { return "127.0.0.1:" + strconv.Itoa(port) }
func url(port int) string  { return "http://" + addr(port) }
