package balance

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/find-peers/find-peers/libs/httpx"
	"github.com/find-peers/find-peers/libs/httpx/httpxtest"
)

func TestRoundRobinSpreadsEvenly(t *testing.T) {
	bs := startBackends(t, 3)
	res := &fakeResolver{}
	res.set(nil, endpoints(bs...)...)
	tr, _ := newTransport(t, res, time.Minute)
	for range 30 {
		get(t, tr)
	}
	for _, b := range bs {
		hosts, _ := b.requests()
		if len(hosts) != 10 {
			t.Errorf("%s got %d of 30 requests, want 10", b.endpoint, len(hosts))
		}
		for _, h := range hosts {
			if h != trackingName {
				t.Fatalf("Host header %q, want the name %q", h, trackingName)
			}
		}
	}
	if n := res.lookups(); n != 1 {
		t.Errorf("%d lookups within Refresh, want 1", n)
	}
}

func TestRoundRobinConcurrent(t *testing.T) {
	bs := startBackends(t, 2)
	res := &fakeResolver{}
	res.set(nil, endpoints(bs...)...)
	tr, _ := newTransport(t, res, time.Minute)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 5 {
				get(t, tr)
			}
		})
	}
	wg.Wait()
	for _, b := range bs {
		if hosts, _ := b.requests(); len(hosts) != 20 {
			t.Errorf("%s got %d of 40 requests, want 20", b.endpoint, len(hosts))
		}
	}
}

// TestRandomStart: replicas of a client do not all begin at one endpoint.
func TestRandomStart(t *testing.T) {
	first := map[string]bool{}
	for range 100 {
		h := newHost()
		h.learn(time.Now(), []string{"10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80"}, nil)
		first[h.plan(time.Now())[0]] = true
	}
	if len(first) != 3 {
		t.Errorf("100 new hosts began at %v only", first)
	}
}

// closeCount is a request body that is not rewindable and counts Closes.
type closeCount struct {
	io.Reader
	closes atomic.Int32
}

func (c *closeCount) Close() error { c.closes.Add(1); return nil }

func TestDeadEndpointSkipped(t *testing.T) {
	bs := startBackends(t, 2)
	dead := deadEndpoint(t)
	res := &fakeResolver{}
	res.set(nil, append(endpoints(bs...), dead)...)
	tr, att := newTransport(t, res, time.Minute)
	for i := range 6 {
		body := &closeCount{Reader: strings.NewReader("sightings")}
		req, _ := http.NewRequest(http.MethodPost, "http://"+trackingName+"/tracking/sightings", body)
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		resp.Body.Close()
		if n := body.closes.Load(); n != 1 {
			t.Fatalf("request %d: body closed %d times, want 1", i, n)
		}
	}
	if n := att.count(dead); n != 1 {
		t.Errorf("the dead endpoint was tried %d times, want 1 (then it cools down)", n)
	}
	total := 0
	for _, b := range bs {
		_, bodies := b.requests()
		for _, body := range bodies {
			if body != "sightings" {
				t.Errorf("%s got body %q", b.endpoint, body)
			}
		}
		total += len(bodies)
	}
	if total != 6 {
		t.Errorf("%d of 6 requests arrived", total)
	}
}

func TestEveryEndpointDead(t *testing.T) {
	res := &fakeResolver{}
	res.set(nil, deadEndpoint(t), deadEndpoint(t), deadEndpoint(t))
	tr, att := newTransport(t, res, time.Minute)
	req, _ := http.NewRequest(http.MethodPost, "http://"+trackingName+"/", strings.NewReader("x"))
	_, err := tr.RoundTrip(req)
	var op *net.OpError
	if !errors.As(err, &op) || op.Op != "dial" {
		t.Fatalf("error %v, want the last dial error", err)
	}
	if n := len(att.eps); n != 3 {
		t.Errorf("%d attempts, want 3 (each endpoint once)", n)
	}
}

// TestFailureAfterConnectNotRetried: a server that read the request may
// have acted on it, so a broken connection is not a reason to resend.
func TestFailureAfterConnectNotRetried(t *testing.T) {
	var reads atomic.Int32
	hangUp := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		reads.Add(1)
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	})
	var eps []string
	for range 2 {
		srv := httptest.NewServer(hangUp)
		t.Cleanup(srv.Close)
		eps = append(eps, strings.TrimPrefix(srv.URL, "http://"))
	}
	res := &fakeResolver{}
	res.set(nil, eps...)
	tr, att := newTransport(t, res, time.Minute)
	req, _ := http.NewRequest(http.MethodPost, "http://"+trackingName+"/", strings.NewReader("once"))
	if _, err := tr.RoundTrip(req); err == nil {
		t.Fatal("a hung-up connection answered")
	}
	if n, a := reads.Load(), len(att.eps); n != 1 || a != 1 {
		t.Errorf("%d requests read by servers in %d attempts, want exactly 1", n, a)
	}
}

func TestResolverFailureFallsBack(t *testing.T) {
	bs := startBackends(t, 1)
	res := &fakeResolver{}
	res.set(errors.New("dns down"))
	tr, att := newTransport(t, res, time.Minute)
	resp, err := (&http.Client{Transport: tr}).Get("http://" + bs[0].endpoint + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if att.count(bs[0].endpoint) != 1 {
		t.Errorf("attempts %v, want the original URL once", att.eps)
	}
	if hosts, _ := bs[0].requests(); len(hosts) != 1 || hosts[0] != bs[0].endpoint {
		t.Errorf("Host headers %v", hosts)
	}
}

func TestAnswerChangePickedUp(t *testing.T) {
	bs := startBackends(t, 2)
	res := &fakeResolver{}
	res.set(nil, bs[0].endpoint)
	tr, _ := newTransport(t, res, 20*time.Millisecond)
	if got := get(t, tr); got != bs[0].endpoint {
		t.Fatalf("answered by %s, want %s", got, bs[0].endpoint)
	}
	res.set(nil, bs[1].endpoint)
	eventually(t, "the new answer is used", func() bool { return get(t, tr) == bs[1].endpoint })
	// A failed lookup keeps the last answer.
	res.set(errors.New("dns down"))
	asked := res.lookups()
	eventually(t, "a failed lookup", func() bool { get(t, tr); return res.lookups() > asked })
	for range 5 {
		if got := get(t, tr); got != bs[1].endpoint {
			t.Fatalf("after a failed lookup answered by %s, want %s", got, bs[1].endpoint)
		}
	}
}

// TestStreams: the answer's body streams as the server writes it.
func TestStreams(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, "data: first\n\n")
		http.NewResponseController(w).Flush()
		<-release
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	res := &fakeResolver{}
	res.set(nil, strings.TrimPrefix(srv.URL, "http://"))
	tr, _ := newTransport(t, res, time.Minute)
	resp, err := (&http.Client{Transport: tr}).Get("http://" + trackingName + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil || line != "data: first\n" {
		t.Fatalf("first line %q, %v", line, err)
	}
}

// TestReplacedReplicaFoundAtOnce: every endpoint of the cached answer
// refuses (the replica restarted with a new address); the name is looked up
// again at once instead of failing until the next refresh.
func TestReplacedReplicaFoundAtOnce(t *testing.T) {
	bs := startBackends(t, 1)
	res := &fakeResolver{}
	res.set(nil, deadEndpoint(t))
	tr, att := newTransport(t, res, time.Hour)
	req, _ := http.NewRequest(http.MethodPost, "http://"+trackingName+"/", strings.NewReader("x"))
	if _, err := tr.RoundTrip(req); err == nil {
		t.Fatal("want the dial error while the only replica is gone")
	}
	res.set(nil, endpoints(bs...)...)
	req, _ = http.NewRequest(http.MethodPost, "http://"+trackingName+"/", strings.NewReader("body"))
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatalf("after the replica moved: %v", err)
	}
	resp.Body.Close()
	if _, bodies := bs[0].requests(); len(bodies) != 1 || bodies[0] != "body" {
		t.Errorf("the new replica got %q, want the one body", bodies)
	}
	if n := att.count(endpoints(bs...)[0]); n != 1 {
		t.Errorf("%d attempts at the new replica, want 1", n)
	}
}

// TestGoneReplicaPassedOverAfterDialTimeout: the cached answer's only
// endpoint is the old address of a restarted replica, which is not refused
// but never answers (its SYNs go nowhere). The base transport's dial
// timeout ends that attempt as a dial error, the name is looked up again,
// and the same request is served by the new replica well within a call's
// deadline. Without a dial timeout the attempt would hang until the
// caller's deadline and fail (the aggregator's 502 after a restart).
func TestGoneReplicaPassedOverAfterDialTimeout(t *testing.T) {
	bs := startBackends(t, 1)
	gone := httpxtest.Blackhole(t)
	res := &fakeResolver{}
	res.set(nil, gone)
	base := httpx.NewUpstreamTransport(200 * time.Millisecond)
	t.Cleanup(base.CloseIdleConnections)
	att := &attempts{base: base}
	tr := &Transport{Base: att, Resolve: res.Resolve, Refresh: time.Hour}
	call := func() (*http.Response, error) { // each with a caller's deadline
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
		t.Cleanup(cancel)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+trackingName+"/", nil)
		return tr.RoundTrip(req)
	}
	if resp, err := call(); err == nil {
		resp.Body.Close()
		t.Fatal("want a dial error while the name still answers the gone address")
	}

	res.set(nil, endpoints(bs...)...) // the replica is back, elsewhere
	start := time.Now()
	resp, err := call()
	if err != nil {
		t.Fatalf("after the replica moved: %v (after %s)", err, time.Since(start))
	}
	resp.Body.Close()
	if took := time.Since(start); took > time.Second {
		t.Errorf("answered after %s, want about one dial timeout (200ms)", took)
	}
	if n, m := att.count(gone), att.count(endpoints(bs...)[0]); n != 2 || m != 1 {
		t.Errorf("attempts: %d at the gone address, %d at the new one; want 2 and 1", n, m)
	}
}
