package sse

import (
	"sync"
	"sync/atomic"
)

// DefaultBuffer is the number of events a subscriber may lag behind before
// it is dropped.
const DefaultBuffer = 64

// Broker fans published events out to subscribers. Publish never blocks: each
// subscriber has a bounded buffer, and one whose buffer is full is dropped
// (its stream ends and its client reconnects) instead of slowing everyone
// else down or growing memory without bound.
type Broker struct {
	buffer int

	mu     sync.Mutex
	subs   map[*Subscription]struct{}
	closed bool
	done   chan struct{}

	published atomic.Uint64
	dropped   atomic.Uint64
}

// NewBroker returns a broker whose subscribers buffer up to buffer events
// (<= 0 means DefaultBuffer).
func NewBroker(buffer int) *Broker {
	if buffer <= 0 {
		buffer = DefaultBuffer
	}
	return &Broker{buffer: buffer, subs: map[*Subscription]struct{}{}, done: make(chan struct{})}
}

// Subscription is one subscriber's feed of encoded events.
type Subscription struct {
	// C yields encoded events (see Event.Encode). It is closed when the
	// subscriber is dropped for being slow, unsubscribed, or the broker
	// closes.
	C <-chan []byte

	c       chan []byte
	filter  func(key string) bool
	dropped atomic.Bool
}

// Dropped reports whether the subscription ended because it fell behind.
func (s *Subscription) Dropped() bool { return s.dropped.Load() }

// Subscribe adds a subscriber that receives the events whose key passes
// filter (nil = every event). Call Unsubscribe when done. On a closed broker
// the subscription is already closed.
func (b *Broker) Subscribe(filter func(key string) bool) *Subscription {
	c := make(chan []byte, b.buffer)
	s := &Subscription{C: c, c: c, filter: filter}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		close(c)
		return s
	}
	b.subs[s] = struct{}{}
	return s
}

// Unsubscribe removes s; it is safe to call more than once and after s was
// dropped.
func (b *Broker) Unsubscribe(s *Subscription) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.subs[s]; ok {
		delete(b.subs, s)
		close(s.c)
	}
}

// Publish encodes ev once and offers it to every subscriber whose filter
// accepts key. It never blocks; it returns how many subscribers got the
// event. A subscriber whose buffer is full is dropped. The error is non-nil
// only when ev cannot be framed (ErrInvalidEvent).
func (b *Broker) Publish(key string, ev Event) (int, error) {
	frame, err := ev.Encode()
	if err != nil {
		return 0, err
	}
	return b.PublishFrame(key, frame), nil
}

// Wants reports whether some subscriber's filter accepts key right now. A
// publisher with a costly event to build checks it first: with nobody
// listening, the event need not be built at all. (A subscriber that arrives
// between Wants and Publish misses the event, as it would have a moment
// earlier.)
func (b *Broker) Wants(key string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs {
		if s.filter == nil || s.filter(key) {
			return true
		}
	}
	return false
}

// PublishFrame is Publish for an already encoded event. Subscribers share the
// slice, so the caller must not modify it afterwards.
func (b *Broker) PublishFrame(key string, frame []byte) int {
	b.published.Add(1)
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for s := range b.subs {
		if s.filter != nil && !s.filter(key) {
			continue
		}
		select {
		case s.c <- frame:
			n++
		default:
			s.dropped.Store(true)
			delete(b.subs, s)
			close(s.c)
			b.dropped.Add(1)
		}
	}
	return n
}

// Close ends every subscription and makes the broker refuse new ones; the
// streams served by ServeHTTP then return.
func (b *Broker) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	b.closed = true
	close(b.done)
	for s := range b.subs {
		delete(b.subs, s)
		close(s.c)
	}
}

// Stats is a snapshot of a broker's counters, for metrics.
type Stats struct {
	Subscribers int    // current
	Published   uint64 // events published since start
	Dropped     uint64 // subscribers dropped for being slow since start
}

// Stats returns the broker's counters.
func (b *Broker) Stats() Stats {
	b.mu.Lock()
	n := len(b.subs)
	b.mu.Unlock()
	return Stats{Subscribers: n, Published: b.published.Load(), Dropped: b.dropped.Load()}
}
