package httpx

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// ProbeHealthz GETs /healthz of the server listening on listenAddr and
// returns nil on 200. It is the container healthcheck (`<service> health`):
// images have no shell or curl, so the binary probes itself. A wildcard
// listen host (":8081", "0.0.0.0:8081", "[::]:8081") is probed on loopback.
func ProbeHealthz(ctx context.Context, listenAddr string, timeout time.Duration) error {
	host, port, err := net.SplitHostPort(listenAddr)
	if err != nil {
		return fmt.Errorf("health probe: listen address %q: %w", listenAddr, err)
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	url := "http://" + net.JoinHostPort(host, port) + "/healthz"
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("health probe %s: %w", url, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("health probe %s: %w", url, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health probe %s: status %d", url, resp.StatusCode)
	}
	return nil
}
