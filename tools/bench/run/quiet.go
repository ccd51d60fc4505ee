package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// podmanHelpers are the processes a container leaves behind for a while
// after it has stopped or been removed: conmon, and the `podman container
// cleanup` that conmon starts when the container exits. On 2 cores they
// compete with the next container's start, so every start waits for them
// to end first (waitPodmanQuiet).
var podmanHelpers = []string{"podman", "conmon"}

const (
	quietPoll    = 2 * time.Millisecond
	quietTimeout = 3 * time.Second
)

// waitPodmanQuiet waits until no podman or conmon process is running, at
// most quietTimeout; it returns what is still running when it gave up
// (nil when quiet).
func waitPodmanQuiet(ctx context.Context) []string {
	deadline := time.Now().Add(quietTimeout)
	for {
		busy := runningProcesses(podmanHelpers)
		if len(busy) == 0 || time.Now().After(deadline) || ctx.Err() != nil {
			return busy
		}
		time.Sleep(quietPoll)
	}
}

// runningProcesses lists "name(pid)" of the processes whose command name
// is one of names, from /proc; nil where there is no /proc.
func runningProcesses(names []string) []string {
	comms, _ := filepath.Glob("/proc/[0-9]*/comm")
	var found []string
	for _, f := range comms {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // the process ended meanwhile
		}
		if name := strings.TrimSpace(string(b)); slices.Contains(names, name) {
			found = append(found, name+"("+filepath.Base(filepath.Dir(f))+")")
		}
	}
	return found
}
