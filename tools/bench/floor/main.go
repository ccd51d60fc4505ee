// Command floor is the container-start floor of the benchmark
// (tools/bench/run, section 4): a static binary that does nothing and exits.
// Its image (//tools/bench/floor:image, built like the service images, only
// /app differs) is what `podman run` costs with no service in it.
//
//	floor          exit 0 at once
//	floor ADDR     connect to the TCP address ADDR (host:port), close, exit 0:
//	               how the benchmark learns the process has run
//
// It imports nothing but what that needs, so the Go runtime's start is all
// it adds to the container's.
package main

import (
	"net"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		return
	}
	c, err := net.Dial("tcp", os.Args[1])
	if err != nil {
		os.Stderr.WriteString("floor: " + err.Error() + "\n")
		os.Exit(1)
	}
	_ = c.Close()
}
