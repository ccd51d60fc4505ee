// Command k8s-e2e is the end-to-end test of find-peers on Kubernetes: run by
// tools/k8s-e2e inside the local cluster's network namespace (so Service and
// pod addresses work as they do in the cluster) after tools/k8s-up --deploy,
// it checks through the gateway's Service, as a user's client would:
//
//   - Cassandra's ring and the keyspaces' replication (1 or 3 nodes);
//   - the seed questions, a write read back, the live stream;
//   - a write without an API key, or with an unknown one, is 401; every
//     write carries the dev write key from FIND_PEERS_API_KEY;
//   - a tracking pod deleted under load: no acknowledged write lost,
//     failures (if any) JSON and bounded; with 3 Cassandra nodes, the same
//     for a Cassandra node;
//   - a rolling update of the gateway to a new image digest under load:
//     not one request failed;
//   - tracking scaled to 3: every replica takes a share of the writes and
//     every write comes on the live stream (the aggregator follows each).
//
// Every step is timed; the run is bounded by -timeout.
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/find-peers/find-peers/tools/testing/systemcheck"
)

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	fs := flag.NewFlagSet("k8s-e2e", flag.ContinueOnError)
	gateway := fs.String("gateway", "", "the gateway Service's URL in the cluster, e.g. http://10.96.0.151:9000")
	kubectl := fs.String("kubectl", "kubectl", "kubectl binary")
	kubeconfig := fs.String("kubeconfig", "", "kubeconfig of the cluster")
	namespace := fs.String("namespace", "find-peers", "namespace of the system")
	timeout := fs.Duration("timeout", 15*time.Minute, "bound of the whole run")
	loadFor := fs.Duration("load", 20*time.Second, "how long each load phase lasts")
	maxFail := fs.Float64("max-fail", 0.05, "share of requests that may fail while a tracking pod is deleted")
	replicas := fs.Int("replicas", 3, "tracking replicas to scale to")
	minShare := fs.Float64("min-share", 0.15, "share of the writes each tracking replica must take once scaled")
	settle := fs.Duration("settle", 15*time.Second, "load before the spread is measured: the DNS TTL (5s) + the clients' -resolve-interval (5s) + margin")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if !strings.HasPrefix(*gateway, "http://") || *kubeconfig == "" {
		fmt.Fprintln(os.Stderr, "k8s-e2e: -gateway http://HOST:PORT and -kubeconfig are required")
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	k := kube{kubectl: *kubectl, kubeconfig: *kubeconfig, namespace: *namespace}
	// The write key comes from the environment (tools/k8s-e2e reads the dev
	// token), never a flag: argv is visible to every process.
	token := os.Getenv("FIND_PEERS_API_KEY")
	if token == "" {
		fmt.Fprintln(os.Stderr, "k8s-e2e: FIND_PEERS_API_KEY (a write API key of the deployed gateway) is required")
		return 2
	}
	g := systemcheck.Gateway{URL: strings.TrimSuffix(*gateway, "/"), HTTP: &http.Client{Timeout: 10 * time.Second}, Token: token}
	steps := &systemcheck.Steps{Out: os.Stdout}
	t0 := time.Now()
	err := checks(ctx, steps, k, g, *loadFor, *maxFail, *replicas, *settle, *minShare)
	steps.Table("k8s-e2e")
	fmt.Printf("  total %s\n", time.Since(t0).Round(100*time.Millisecond))
	if err != nil {
		fmt.Fprintf(os.Stderr, "k8s-e2e: FAIL: %v\n", err)
		return 1
	}
	fmt.Println("k8s-e2e: PASS")
	return 0
}

func checks(ctx context.Context, steps *systemcheck.Steps, k kube, g systemcheck.Gateway,
	loadFor time.Duration, maxFail float64, replicas int, settle time.Duration, minShare float64) error {
	type step struct {
		name string
		fn   func() error
	}
	// With RF=3 (the cluster overlay) a Cassandra node can go: that is
	// checked too. One node (the single overlay) has no such promise.
	var cassandraLoss step
	if pods, err := k.readyPods(ctx, "cassandra"); err != nil {
		return err
	} else if len(pods) >= 3 {
		cassandraLoss = step{"a Cassandra node deleted under load (RF=3): no acknowledged write lost", func() error {
			return deleteUnderLoad(ctx, k, g, "statefulset/cassandra", loadFor, maxFail)
		}}
	}
	for _, s := range []step{
		{"Cassandra: every node sees the others; keyspaces replicated on each", func() error {
			return cassandraRing(ctx, k)
		}},
		{"seed hour: three Erupaka users at 'Bed Room Beacon'", func() error {
			names, err := g.SeedHour(ctx)
			fmt.Printf("    %s\n", strings.Join(names, ", "))
			return err
		}},
		{"one hour later: []", func() error { return g.HourLaterEmpty(ctx) }},
		{"API access: a write without a key or with an unknown key is 401; with the dev key 201", func() error {
			return g.RefusesBadKeys(ctx)
		}},
		{"live stream delivers a sighting posted after subscribing; it reads back", func() error {
			s, d, err := g.LiveCheck(ctx, "K8s E2e")
			if err != nil {
				return err
			}
			fmt.Printf("    live event %s after the POST was acknowledged\n", d.Round(time.Millisecond))
			missing, err := g.Missing(ctx, []systemcheck.Sighting{s})
			if err == nil && len(missing) > 0 {
				err = fmt.Errorf("posted sighting %+v not read back", s)
			}
			return err
		}},
		{"a tracking pod deleted under load: no acknowledged write lost", func() error {
			return deleteUnderLoad(ctx, k, g, "deploy/tracking", loadFor, maxFail)
		}},
		cassandraLoss,
		{"rolling update of the gateway to a new digest under load: 0 failed", func() error {
			return rollingUpdate(ctx, k, g)
		}},
		{fmt.Sprintf("tracking scaled to %d: load spread, every settled write live", replicas), func() error {
			return scaleSpread(ctx, k, g, replicas, settle, loadFor, minShare)
		}},
	} {
		if s.name == "" {
			continue
		}
		if err := steps.Run(s.name, s.fn); err != nil {
			return err
		}
	}
	return nil
}
