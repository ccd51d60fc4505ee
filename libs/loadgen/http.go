package loadgen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"syscall"
	"time"

	"github.com/find-peers/find-peers/libs/config"
)

// CheckLoopback refuses any target that is not on this machine's loopback
// range: load is only ever sent to 127.0.0.0/8, ::1 or "localhost".
func CheckLoopback(rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return fmt.Errorf("loadgen: target %q: %w", rawURL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("loadgen: target %q: scheme must be http or https", rawURL)
	}
	return checkHost(u.Hostname())
}

func checkHost(host string) error {
	if !config.LoopbackHost(host) {
		return fmt.Errorf("loadgen: target host %q is not a loopback address (use 127.0.0.1, ::1 or localhost)", host)
	}
	return nil
}

// NewClient returns an HTTP client for load: keep-alive connections (up to
// conns per host), no redirects, and a dialer that refuses any non-loopback
// address even if a name resolved to one.
func NewClient(conns int, timeout time.Duration) *http.Client {
	dialer := &net.Dialer{
		Timeout: 5 * time.Second,
		Control: func(network, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			if !config.LoopbackHost(host) {
				return fmt.Errorf("loadgen: refusing to dial non-loopback %s", address)
			}
			return nil
		},
	}
	tr := &http.Transport{
		DialContext:         dialer.DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		MaxConnsPerHost:     conns,
		IdleConnTimeout:     30 * time.Second,
		DisableCompression:  true,
	}
	return &http.Client{
		Transport: tr,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// Request is one HTTP request of a workload.
type Request struct {
	Method string
	URL    string
	Body   []byte // JSON when set
	Items  int    // units of work it carries (e.g. sightings in a batch)
	Token  string // sent as "Authorization: Bearer <Token>" when set
}

// HTTPOp turns a request generator into an Op. A status in 2xx is a
// success. The response body is read to the end so connections are reused.
func HTTPOp(client *http.Client, gen func(i int) Request) Op {
	return func(ctx context.Context, i int) Outcome {
		r := gen(i)
		var body io.Reader
		if r.Body != nil {
			body = bytes.NewReader(r.Body)
		}
		req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, body)
		if err != nil {
			return Outcome{Status: "bad-request"}
		}
		if r.Body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if r.Token != "" {
			req.Header.Set("Authorization", "Bearer "+r.Token)
		}
		resp, err := client.Do(req)
		if err != nil {
			return Outcome{Status: ErrorClass(err)}
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		ok := resp.StatusCode >= 200 && resp.StatusCode < 300
		return Outcome{Status: strconv.Itoa(resp.StatusCode), OK: ok, Items: r.Items}
	}
}

// ErrorClass names a transport error for the status counts.
func ErrorClass(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "conn-refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "conn-reset"
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timeout"
	}
	return "error"
}
