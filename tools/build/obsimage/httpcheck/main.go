// Command httpcheck is the healthcheck of the observability images
// (tools/build/obsimage): neither the Java root file system of Zipkin nor
// Debian's minimal root of Prometheus has curl or wget, and a static Go
// binary needs no libc or shell.
//
//	httpcheck URL
//
// It exits 0 when a GET of URL answers 2xx within 5 s, else 1 saying why.
package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: httpcheck URL")
		os.Exit(2)
	}
	if err := check(os.Args[1], 5*time.Second); err != nil {
		fmt.Fprintln(os.Stderr, "httpcheck:", err)
		os.Exit(1)
	}
}

func check(url string, timeout time.Duration) error {
	c := http.Client{Timeout: timeout}
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
}
