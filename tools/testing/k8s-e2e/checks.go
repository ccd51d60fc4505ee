package main

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/find-peers/find-peers/tools/testing/systemcheck"
)

// readBack fails unless every acknowledged write of l is stored.
func readBack(ctx context.Context, g systemcheck.Gateway, l *load) error {
	acked := l.ackedWrites()
	if len(acked) == 0 {
		return fmt.Errorf("no write was acknowledged (%s)", l.summary())
	}
	missing, err := g.Missing(ctx, acked)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		return fmt.Errorf("%d of %d acknowledged writes are lost, e.g. %+v", len(missing), len(acked), missing[0])
	}
	fmt.Printf("    all %d acknowledged writes read back\n", len(acked))
	return nil
}

// deleteUnderLoad deletes the last pod of workload (deploy/NAME or
// statefulset/NAME; the pods labelled app.kubernetes.io/name=NAME) while
// writes and reads go through the gateway: no acknowledged write may be
// lost, and the failures (if any) must be the API's JSON errors and at most
// maxFail of the requests.
func deleteUnderLoad(ctx context.Context, k kube, g systemcheck.Gateway, workload string, d time.Duration, maxFail float64) error {
	app := workload[strings.Index(workload, "/")+1:]
	pods, err := k.readyPods(ctx, app)
	if err != nil || len(pods) == 0 {
		return fmt.Errorf("no ready %s pod (%v)", app, err)
	}
	victim := pods[len(pods)-1].Name
	l := newLoad(g, true)
	done := make(chan error, 1)
	go func() { _, err := l.run(ctx, 40, d); done <- err }()
	time.Sleep(d / 4)
	t := time.Now()
	if _, err := k.run(ctx, 60*time.Second, "delete", "pod", victim, "--wait=false"); err != nil {
		return err
	}
	if err := <-done; err != nil {
		return err
	}
	if err := k.rollout(ctx, workload, 5*time.Minute); err != nil {
		return err
	}
	fmt.Printf("    deleted %s at +%s of load; %s; %s complete again %s after the delete\n",
		victim, (d / 4).Round(time.Second), l.summary(), workload, time.Since(t).Round(100*time.Millisecond))
	failed, notJSON := l.failed()
	if notJSON > 0 {
		return fmt.Errorf("%d failures were not the API's JSON errors: %s", notJSON, l.summary())
	}
	if bound := int(math.Ceil(maxFail * float64(l.reqs))); failed > bound {
		return fmt.Errorf("%d failures, more than %.0f%% (%d): %s", failed, maxFail*100, bound, l.summary())
	}
	return readBack(ctx, g, l)
}

// rollingUpdate rolls the gateway to a new image digest while writes and
// reads go through it: not one request may fail.
func rollingUpdate(ctx context.Context, k kube, g systemcheck.Gateway) error {
	old, err := k.image(ctx, "gateway")
	if err != nil {
		return err
	}
	stamp := time.Now().UTC().Format("20060102T150405")
	ref, err := newDigest(ctx, old, "e2e-"+stamp, stamp)
	if err != nil {
		return fmt.Errorf("making a new gateway digest: %w", err)
	}
	fmt.Printf("    %s\n -> %s\n", old, ref)
	l := newLoad(g, true)
	stop, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { _, err := l.run(stop, 40, 3*time.Minute); done <- err }()
	time.Sleep(3 * time.Second)
	t := time.Now()
	if _, err := k.run(ctx, time.Minute, "set", "image", "deploy/gateway", "gateway="+ref); err != nil {
		return err
	}
	rerr := k.rollout(ctx, "deploy/gateway", 3*time.Minute)
	took := time.Since(t)
	if rerr == nil {
		// The load goes on until the old pods have drained and gone.
		rerr = gone(ctx, k, "gateway", old[strings.Index(old, "@")+1:], 2*time.Minute)
	}
	drained := time.Since(t)
	time.Sleep(2 * time.Second)
	cancel()
	<-done
	if rerr != nil {
		return rerr
	}
	fmt.Printf("    rollout complete after %s, old pods gone after %s; %s\n",
		took.Round(100*time.Millisecond), drained.Round(100*time.Millisecond), l.summary())
	if failed, _ := l.failed(); failed > 0 {
		return fmt.Errorf("%d requests failed during the rolling update: %s", failed, l.summary())
	}
	pods, err := k.readyPods(ctx, "gateway")
	if err != nil {
		return err
	}
	digest := ref[strings.Index(ref, "@")+1:]
	for _, p := range pods {
		if !strings.HasSuffix(p.Image, digest) {
			return fmt.Errorf("pod %s runs %s, want %s", p.Name, p.Image, digest)
		}
	}
	fmt.Printf("    %d gateway pods run %s\n", len(pods), digest[:19])
	return readBack(ctx, g, l)
}

// gone waits until no pod of app runs the image digest.
func gone(ctx context.Context, k kube, app, digest string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		pods, err := k.pods(ctx, app)
		if err != nil {
			return err
		}
		left := 0
		for _, p := range pods {
			if strings.HasSuffix(p.Image, digest) {
				left++
			}
		}
		if left == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d %s pods still run %s after %s", left, app, digest, limit)
		}
		time.Sleep(500 * time.Millisecond)
	}
}
