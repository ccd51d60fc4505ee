package balance

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// trackingName is the host:port the tests ask for: a name only the fake
// resolver knows, so every request that arrives went through it.
const trackingName = "tracking:8082"

// fakeResolver answers the endpoints it is set to, or fails.
type fakeResolver struct {
	mu        sync.Mutex
	endpoints []string
	err       error
	asked     int
}

func (r *fakeResolver) set(err error, endpoints ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.endpoints, r.err = endpoints, err
}

func (r *fakeResolver) Resolve(context.Context, string) ([]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.asked++
	return slices.Clone(r.endpoints), r.err
}

func (r *fakeResolver) lookups() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.asked
}

// backend is one replica: a server on 127.0.0.1 that counts requests and
// records each one's Host header and body.
type backend struct {
	endpoint string
	mu       sync.Mutex
	hosts    []string
	bodies   []string
}

func startBackends(t *testing.T, n int) []*backend {
	t.Helper()
	bs := make([]*backend, n)
	for i := range bs {
		b := &backend{}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			b.mu.Lock()
			b.hosts = append(b.hosts, r.Host)
			b.bodies = append(b.bodies, string(body))
			b.mu.Unlock()
			_, _ = io.WriteString(w, b.endpoint)
		}))
		t.Cleanup(srv.Close)
		b.endpoint = strings.TrimPrefix(srv.URL, "http://")
		bs[i] = b
	}
	return bs
}

func (b *backend) requests() (hosts, bodies []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.hosts), slices.Clone(b.bodies)
}

func endpoints(bs ...*backend) []string {
	var eps []string
	for _, b := range bs {
		eps = append(eps, b.endpoint)
	}
	return eps
}

// deadEndpoint is an address on 127.0.0.1 where nothing listens any more:
// dialing it is refused.
func deadEndpoint(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ep := l.Addr().String()
	l.Close()
	return ep
}

// attempts records the endpoint of every round trip a Transport makes.
type attempts struct {
	base http.RoundTripper
	mu   sync.Mutex
	eps  []string
}

func (a *attempts) RoundTrip(req *http.Request) (*http.Response, error) {
	a.mu.Lock()
	a.eps = append(a.eps, req.URL.Host)
	a.mu.Unlock()
	return a.base.RoundTrip(req)
}

func (a *attempts) count(ep string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, e := range a.eps {
		if e == ep {
			n++
		}
	}
	return n
}

// newTransport balances over res's answers, through a fresh transport of
// its own whose attempts are recorded.
func newTransport(t *testing.T, res *fakeResolver, refresh time.Duration) (*Transport, *attempts) {
	t.Helper()
	base := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(base.CloseIdleConnections)
	a := &attempts{base: base}
	return &Transport{Base: a, Resolve: res.Resolve, Refresh: refresh}, a
}

// get sends GET http://tracking:8082/ through rt and returns the body.
func get(t *testing.T, rt http.RoundTripper) string {
	t.Helper()
	resp, err := (&http.Client{Transport: rt}).Get("http://" + trackingName + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, body %q, %v", resp.StatusCode, body, err)
	}
	return string(body)
}

// eventually polls cond for up to 3s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(3 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
	}
}
