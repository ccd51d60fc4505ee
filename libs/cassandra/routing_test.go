package cassandra

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gocql/gocql"
)

// fakePolicy records the calls it gets, as "name arg", in a log it may share.
type fakePolicy struct {
	name  string
	mu    *sync.Mutex
	log   *[]string
	hosts map[*gocql.HostInfo]string
	block chan struct{} // when set, the first recorded call waits for it
}

func (f *fakePolicy) rec(call string) {
	f.mu.Lock()
	*f.log = append(*f.log, f.name+" "+call)
	b := f.block
	f.block = nil
	f.mu.Unlock()
	if b != nil {
		<-b
	}
}

func (f *fakePolicy) h(h *gocql.HostInfo) string { return f.hosts[h] }

func (f *fakePolicy) Init(*gocql.Session)          { f.rec("Init") }
func (f *fakePolicy) IsLocal(*gocql.HostInfo) bool { return true }
func (f *fakePolicy) KeyspaceChanged(e gocql.KeyspaceUpdateEvent) {
	f.rec("KeyspaceChanged " + e.Keyspace)
}
func (f *fakePolicy) SetPartitioner(p string)      { f.rec("SetPartitioner " + p) }
func (f *fakePolicy) AddHost(h *gocql.HostInfo)    { f.rec("AddHost " + f.h(h)) }
func (f *fakePolicy) RemoveHost(h *gocql.HostInfo) { f.rec("RemoveHost " + f.h(h)) }
func (f *fakePolicy) HostUp(h *gocql.HostInfo)     { f.rec("HostUp " + f.h(h)) }
func (f *fakePolicy) HostDown(h *gocql.HostInfo)   { f.rec("HostDown " + f.h(h)) }
func (f *fakePolicy) Pick(gocql.ExecutableQuery) gocql.NextHost {
	f.rec("Pick")
	return func() gocql.SelectedHost { return nil }
}

func (f *fakePolicy) AddHosts(hs []*gocql.HostInfo) {
	names := make([]string, len(hs))
	for i, h := range hs {
		names[i] = f.h(h)
	}
	f.rec(fmt.Sprint("AddHosts ", names))
}

type routingFixture struct {
	p      *lazyRouting
	ta, fb *fakePolicy
	mu     sync.Mutex
	log    []string
	h1, h2 *gocql.HostInfo
}

func newRoutingFixture() *routingFixture {
	x := &routingFixture{h1: &gocql.HostInfo{}, h2: &gocql.HostInfo{}}
	names := map[*gocql.HostInfo]string{x.h1: "h1", x.h2: "h2"}
	x.ta = &fakePolicy{name: "tokenAware", mu: &x.mu, log: &x.log, hosts: names}
	x.fb = &fakePolicy{name: "fallback", mu: &x.mu, log: &x.log, hosts: names}
	x.p = &lazyRouting{tokenAware: x.ta, fallback: x.fb}
	return x
}

// takeLog returns the calls recorded since the last takeLog.
func (x *routingFixture) takeLog() []string {
	x.mu.Lock()
	defer x.mu.Unlock()
	l := x.log
	x.log = nil
	return l
}

func wantLog(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got  %q\n want %q", what, got, want)
	}
}

// Before start the fallback routes and knows the hosts; the token-aware
// policy gets nothing but Init (which queries nothing). start replays the
// events in their order; then every call goes to the token-aware policy.
func TestLazyRoutingReplaysEventsAtStart(t *testing.T) {
	x := newRoutingFixture()
	p := x.p
	p.Init(nil)
	p.SetPartitioner("Murmur3Partitioner")
	p.AddHosts([]*gocql.HostInfo{x.h1, x.h2})
	p.KeyspaceChanged(gocql.KeyspaceUpdateEvent{Keyspace: "ks"})
	p.HostDown(x.h2)
	p.Pick(nil)
	wantLog(t, "before start", x.takeLog(),
		"tokenAware Init", "fallback AddHost h1", "fallback AddHost h2", "fallback HostDown h2", "fallback Pick")

	p.start()
	wantLog(t, "start", x.takeLog(),
		"tokenAware SetPartitioner Murmur3Partitioner", "tokenAware AddHosts [h1 h2]",
		"tokenAware KeyspaceChanged ks", "tokenAware HostDown h2")

	p.HostUp(x.h2)
	p.RemoveHost(x.h1)
	p.AddHost(x.h1)
	p.Pick(nil)
	wantLog(t, "after start", x.takeLog(),
		"tokenAware HostUp h2", "tokenAware RemoveHost h1", "tokenAware AddHost h1", "tokenAware Pick")
}

// An event that comes while start replays (the token-aware policy reads
// metadata then) is replayed after the earlier ones, not handed over
// ahead of them; Pick keeps to the fallback until the replay is done.
func TestLazyRoutingKeepsOrderDuringStart(t *testing.T) {
	x := newRoutingFixture()
	p := x.p
	p.AddHost(x.h1)
	release := make(chan struct{})
	x.ta.block = release
	started := make(chan struct{})
	go func() { p.start(); close(started) }()
	waitFor(t, func() bool { return len(x.takeLogPeek()) == 2 }) // fallback AddHost h1, tokenAware AddHost h1
	p.RemoveHost(x.h1)
	p.Pick(nil)
	close(release)
	<-started
	wantLog(t, "order", x.takeLog(),
		"fallback AddHost h1", "tokenAware AddHost h1", "fallback RemoveHost h1", "fallback Pick", "tokenAware RemoveHost h1")
	if !p.live.Load() {
		t.Error("not live after start")
	}
}

func (x *routingFixture) takeLogPeek() []string {
	x.mu.Lock()
	defer x.mu.Unlock()
	return slices.Clone(x.log)
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
	}
}
