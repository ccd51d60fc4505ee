package cassandra

import (
	"sync"
	"sync/atomic"

	"github.com/gocql/gocql"
)

// lazyRouting is gocql's token-aware policy with its first keyspace metadata
// read moved after CreateSession.
//
// Why: gocql's token-aware policy reads the session keyspace's whole schema
// (keyspace, tables, views, columns, functions, aggregates, types: each
// statement prepared, 14 round trips on the control connection) from inside
// CreateSession, to learn only the keyspace's replication. Before gocql has
// looked at the node's version it also asks the pre-3.0 table
// system.schema_keyspaces, which does not exist, from SetPartitioner and
// AddHosts, 4 tries each. On a bare beacon start against a local node that
// was about 45 of 90 ms to the first ready answer, all of it before the
// session could be used.
//
// Until start, the policy events gocql sends (hosts, partitioner, keyspace)
// are kept in order for the token-aware policy while the hosts also go
// straight to the fallback (DC-aware round robin), and Pick uses the
// fallback: any node coordinates a request correctly, the first requests
// only do not go to a replica first. start replays the kept events into the
// token-aware policy, which reads the metadata then, and hands every call
// over to it. No lock is held while the token-aware policy runs: its
// metadata read can reconnect the control connection, which calls back into
// this policy.
type lazyRouting struct {
	tokenAware gocql.HostSelectionPolicy
	fallback   gocql.HostSelectionPolicy

	live  atomic.Bool // Pick's fast path; set under mu once queue is drained
	mu    sync.Mutex
	queue []func(gocql.HostSelectionPolicy) // events for tokenAware, in order
}

// newLazyRouting returns token-aware routing over fallback, shuffling the
// replicas, as gocql.TokenAwareHostPolicy(fallback, gocql.ShuffleReplicas())
// once started.
func newLazyRouting(fallback gocql.HostSelectionPolicy) *lazyRouting {
	return &lazyRouting{
		tokenAware: gocql.TokenAwareHostPolicy(fallback, gocql.ShuffleReplicas()),
		fallback:   fallback,
	}
}

var _ gocql.HostSelectionPolicy = (*lazyRouting)(nil)

// dispatch sends an event to the token-aware policy, or keeps it for start;
// early, when not nil, is what the fallback gets of a kept event now.
func (p *lazyRouting) dispatch(early func(), call func(gocql.HostSelectionPolicy)) {
	p.mu.Lock()
	if !p.live.Load() {
		if early != nil {
			early()
		}
		p.queue = append(p.queue, call)
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	call(p.tokenAware)
}

// start replays the kept events into the token-aware policy (reading the
// keyspace metadata there) and makes it the live policy. Events that come
// in meanwhile are queued behind and replayed too, so the order holds.
func (p *lazyRouting) start() {
	for {
		p.mu.Lock()
		batch := p.queue
		p.queue = nil
		if len(batch) == 0 {
			p.live.Store(true)
			p.mu.Unlock()
			return
		}
		p.mu.Unlock()
		for _, call := range batch {
			call(p.tokenAware)
		}
	}
}

// Init binds the token-aware policy to the session; it queries nothing.
func (p *lazyRouting) Init(s *gocql.Session) { p.tokenAware.Init(s) }

func (p *lazyRouting) IsLocal(h *gocql.HostInfo) bool { return p.fallback.IsLocal(h) }

func (p *lazyRouting) Pick(q gocql.ExecutableQuery) gocql.NextHost {
	if p.live.Load() {
		return p.tokenAware.Pick(q)
	}
	return p.fallback.Pick(q)
}

func (p *lazyRouting) KeyspaceChanged(e gocql.KeyspaceUpdateEvent) {
	p.dispatch(nil, func(t gocql.HostSelectionPolicy) { t.KeyspaceChanged(e) })
}

func (p *lazyRouting) SetPartitioner(name string) {
	p.dispatch(nil, func(t gocql.HostSelectionPolicy) { t.SetPartitioner(name) })
}

// AddHosts is gocql's bulk form, used at session start: one metadata update
// for all hosts instead of one per host.
func (p *lazyRouting) AddHosts(hosts []*gocql.HostInfo) {
	p.dispatch(func() {
		for _, h := range hosts {
			p.fallback.AddHost(h)
		}
	}, func(t gocql.HostSelectionPolicy) {
		if b, ok := t.(interface{ AddHosts([]*gocql.HostInfo) }); ok {
			b.AddHosts(hosts)
			return
		}
		for _, h := range hosts {
			t.AddHost(h)
		}
	})
}

func (p *lazyRouting) AddHost(h *gocql.HostInfo) {
	p.dispatch(func() { p.fallback.AddHost(h) }, func(t gocql.HostSelectionPolicy) { t.AddHost(h) })
}

func (p *lazyRouting) RemoveHost(h *gocql.HostInfo) {
	p.dispatch(func() { p.fallback.RemoveHost(h) }, func(t gocql.HostSelectionPolicy) { t.RemoveHost(h) })
}

// HostUp and HostDown are kept in order with the other events: gocql's
// token-aware policy passes them to the fallback, and a replayed AddHosts
// must not bring back a host that went down after it.
func (p *lazyRouting) HostUp(h *gocql.HostInfo) {
	p.dispatch(func() { p.fallback.HostUp(h) }, func(t gocql.HostSelectionPolicy) { t.HostUp(h) })
}

func (p *lazyRouting) HostDown(h *gocql.HostInfo) {
	p.dispatch(func() { p.fallback.HostDown(h) }, func(t gocql.HostSelectionPolicy) { t.HostDown(h) })
}
