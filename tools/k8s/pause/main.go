// Command pause is the sandbox ("pause") container of the local cluster
// (tools/k8s-up): it holds a pod's namespaces open and does nothing else
// until it is told to stop. Built here, so that no image is pulled.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
}
