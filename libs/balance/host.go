package balance

import (
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// host is what a Transport knows of one host:port: the endpoints of its
// last good answer, where its round robin stands, and which endpoints could
// not be dialed lately.
type host struct {
	mu         sync.Mutex
	eps        []string             // the last non-empty answer; nil: none yet
	checked    time.Time            // when a lookup last ended
	refreshing bool                 // a lookup runs in the background
	next       uint64               // round-robin position
	down       map[string]time.Time // endpoint -> end of its cooldown
}

// newHost starts the round robin at a random position: replicas of a client
// started together must not all send their first requests to the same pod.
func newHost() *host {
	return &host{next: rand.Uint64(), down: map[string]time.Time{}}
}

// known says whether there is an answer to use, and whether it is older
// than refresh and nobody is looking the name up again yet; then the
// caller is to do so (and is counted as doing it).
func (h *host) known(now time.Time, refresh time.Duration) (known, lookUp bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	known = h.eps != nil
	if known && !h.refreshing && now.Sub(h.checked) >= refresh {
		h.refreshing = true
		return true, true
	}
	return known, false
}

// learn takes a lookup's outcome. A failed or empty one keeps the last
// answer: a DNS blip must not stop the traffic. An endpoint no longer
// listed ends its cooldown, since it is no longer chosen anyway.
func (h *host) learn(now time.Time, eps []string, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.checked, h.refreshing = now, false
	if err != nil || len(eps) == 0 {
		return
	}
	// Sorted: DNS may shuffle its answers, and a list that changes order
	// at every lookup would make the round robin uneven.
	h.eps = slices.Compact(slices.Sorted(slices.Values(eps)))
	for ep := range h.down {
		if !slices.Contains(h.eps, ep) {
			delete(h.down, ep)
		}
	}
}

// failed passes ep over until the cooldown ends.
func (h *host) failed(ep string, until time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.down[ep] = until
}

// plan is the order in which one request tries the endpoints: the next
// endpoint in the round robin of those not cooling down, then the others
// of them, then those cooling down (better than failing when all are).
// Each appears once, so a request tries each endpoint at most once.
func (h *host) plan(now time.Time) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var up, cooling []string
	for _, ep := range h.eps {
		if until, ok := h.down[ep]; ok && now.Before(until) {
			cooling = append(cooling, ep)
			continue
		}
		delete(h.down, ep)
		up = append(up, ep)
	}
	if len(up) == 0 {
		up, cooling = cooling, nil
	}
	if len(up) == 0 {
		return nil
	}
	// Rotating over the endpoints that are up keeps the spread even
	// among them while one is passed over.
	start := int(h.next % uint64(len(up)))
	h.next++
	return append(append(up[start:len(up):len(up)], up[:start]...), cooling...)
}
