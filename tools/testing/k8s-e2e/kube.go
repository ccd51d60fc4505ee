package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"sort"
	"strings"
	"time"
)

// kube runs kubectl against the cluster, in the namespace of the system.
type kube struct {
	kubectl    string // path of kubectl
	kubeconfig string
	namespace  string
}

// run runs kubectl ARGS with a bound and returns its standard output.
func (k kube) run(ctx context.Context, timeout time.Duration, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	full := append([]string{"--kubeconfig", k.kubeconfig, "-n", k.namespace}, args...)
	out, err := exec.CommandContext(ctx, k.kubectl, full...).Output()
	if err != nil {
		msg := err.Error()
		if ee, ok := err.(*exec.ExitError); ok {
			msg = strings.TrimSpace(string(ee.Stderr))
		}
		return "", fmt.Errorf("kubectl %s: %s", strings.Join(args, " "), msg)
	}
	return string(out), nil
}

// pod is what the checks need of a pod.
type pod struct {
	Name, IP, Image string // Image: the image ID the container runs (by digest)
	Ready, Deleting bool
}

// pods lists the pods of an app (label app.kubernetes.io/name), by name.
func (k kube) pods(ctx context.Context, app string) ([]pod, error) {
	out, err := k.run(ctx, 30*time.Second, "get", "pods", "-l", "app.kubernetes.io/name="+app, "-o", "json")
	if err != nil {
		return nil, err
	}
	var list struct {
		Items []struct {
			Metadata struct {
				Name              string  `json:"name"`
				DeletionTimestamp *string `json:"deletionTimestamp"`
			} `json:"metadata"`
			Status struct {
				PodIP             string `json:"podIP"`
				ContainerStatuses []struct {
					ImageID string `json:"imageID"`
					Ready   bool   `json:"ready"`
				} `json:"containerStatuses"`
			} `json:"status"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		return nil, err
	}
	var pods []pod
	for _, it := range list.Items {
		p := pod{Name: it.Metadata.Name, IP: it.Status.PodIP, Deleting: it.Metadata.DeletionTimestamp != nil}
		if cs := it.Status.ContainerStatuses; len(cs) > 0 {
			p.Image, p.Ready = cs[0].ImageID, cs[0].Ready
		}
		pods = append(pods, p)
	}
	sort.Slice(pods, func(i, j int) bool { return pods[i].Name < pods[j].Name })
	return pods, nil
}

// readyPods is pods without the ones not ready or being deleted.
func (k kube) readyPods(ctx context.Context, app string) ([]pod, error) {
	all, err := k.pods(ctx, app)
	var ready []pod
	for _, p := range all {
		if p.Ready && !p.Deleting {
			ready = append(ready, p)
		}
	}
	return ready, err
}

// rollout waits until a workload's rollout is complete (deploy/NAME,
// statefulset/NAME).
func (k kube) rollout(ctx context.Context, workload string, timeout time.Duration) error {
	_, err := k.run(ctx, timeout+5*time.Second, "rollout", "status", workload, "--timeout="+timeout.String())
	return err
}

// image is the image reference a Deployment's first container asks for.
func (k kube) image(ctx context.Context, deploy string) (string, error) {
	out, err := k.run(ctx, 30*time.Second, "get", "deploy", deploy, "-o", "jsonpath={.spec.template.spec.containers[0].image}")
	return strings.TrimSpace(out), err
}
