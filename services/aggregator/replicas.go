package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/find-peers/find-peers/libs/api"
	"github.com/find-peers/find-peers/libs/balance"
	"github.com/find-peers/find-peers/libs/httpx"
)

// Tracking may run several replicas, and each one's event stream carries
// only the sightings written through it. A live stream therefore follows
// every replica: the events URL's host name is resolved to all its
// addresses, one followStream per address (each with its own Last-Event-ID
// and backoff) feeds the same channel, and the name is resolved again every
// ResolveInterval, so that replicas that appear are followed and those that
// are gone are dropped.

// followTracking follows tracking's event streams for the given beacons on
// every replica and sends each sighting of one of them, as a UserAtLocation,
// to out, until ctx is done. When a lookup fails or answers nothing, it keeps
// following the replicas it knows (dead ones just fail and back off) and
// tries again an interval later. status, if not nil, hears the state of the
// live view (see liveStatus); it is called with a lock held and must not
// block.
func followTracking(ctx context.Context, up *Upstreams, beacons []api.Beacon, cfg liveConfig,
	out chan<- api.UserAtLocation, status func(connected bool, err error)) {
	base := up.trackingEvents()
	target := trackingEventsURL(base, beacons)
	hostport := balance.HostPort(base)
	resolve := up.resolveTracking()
	set := &replicaSet{
		status:    &liveStatus{notify: status, states: map[string]*replicaState{}},
		followers: map[string]context.CancelFunc{},
		follow: func(ctx context.Context, endpoint string, report func(bool, error)) {
			u := *target
			u.Host = endpoint
			// Dialed by address, but addressed to the name the URL gives.
			s := stream{URL: u.String(), Host: base.Host, Idle: cfg.StreamIdle}
			followStream(ctx, up.streams(), s, cfg, sightingsTo(ctx, out, beacons), report)
		},
	}
	defer set.stop()
	for {
		set.refresh(ctx, resolve, hostport, cfg.ResolveInterval)
		t := time.NewTimer(cfg.ResolveInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// replicaSet is one live stream's followers, one per replica endpoint.
type replicaSet struct {
	follow    func(ctx context.Context, endpoint string, report func(connected bool, err error))
	status    *liveStatus
	followers map[string]context.CancelFunc
	wg        sync.WaitGroup
}

// refresh looks the replicas up (bounded by timeout) and follows the answer;
// a failed or empty lookup keeps the replicas followed so far, since a DNS
// blip must not cut every stream.
func (s *replicaSet) refresh(ctx context.Context, resolve balance.Resolver, hostport string, timeout time.Duration) {
	rctx, cancel := context.WithTimeout(ctx, timeout)
	endpoints, err := resolve(rctx, hostport)
	cancel()
	if ctx.Err() != nil {
		return
	}
	if err == nil && len(endpoints) == 0 {
		err = balance.ErrNoAddresses
	}
	if err != nil {
		httpx.LoggerFrom(ctx).LogAttrs(ctx, slog.LevelWarn, "resolving tracking replicas failed; keeping the known ones",
			slog.String("host", hostport), slog.Int("known", len(s.followers)), slog.String("error", err.Error()))
		s.status.resolveFailed(err)
		return
	}
	s.update(ctx, endpoints)
}

// update follows the endpoints not followed yet and drops those that are no
// longer listed; an endpoint listed twice is followed once.
func (s *replicaSet) update(ctx context.Context, endpoints []string) {
	logger := httpx.LoggerFrom(ctx)
	for ep, cancel := range s.followers {
		if !slices.Contains(endpoints, ep) {
			cancel()
			delete(s.followers, ep)
			s.status.remove(ep)
			logger.LogAttrs(ctx, slog.LevelDebug, "tracking replica gone; stopped following it", slog.String("endpoint", ep))
		}
	}
	var added []string
	for _, ep := range endpoints {
		if _, ok := s.followers[ep]; !ok && !slices.Contains(added, ep) {
			added = append(added, ep)
		}
	}
	// All at once: the view must not look complete while only the first
	// new replica has connected.
	reports := s.status.add(added...)
	for i, ep := range added {
		fctx, cancel := context.WithCancel(ctx)
		s.followers[ep] = cancel
		s.wg.Go(func() { s.follow(fctx, ep, reports[i]) })
		logger.LogAttrs(ctx, slog.LevelDebug, "following tracking replica", slog.String("endpoint", ep))
	}
}

// stop ends every follower and waits for them, so none writes to the
// stream's channel after followTracking returned.
func (s *replicaSet) stop() {
	for _, cancel := range s.followers {
		cancel()
	}
	s.wg.Wait()
}

var errNoReplica = errors.New("no tracking replica known")

// liveStatus folds the followers' reports into one state of the live view:
// connected while every known replica's stream is open. "At least one"
// would call the view live while it silently misses every sighting written
// through a disconnected replica, the very gap that following every replica
// closes. With no replica known it is not connected.
type liveStatus struct {
	notify func(connected bool, err error) // nil: nobody listens
	mu     sync.Mutex
	states map[string]*replicaState
}

type replicaState struct {
	connected bool
	err       error
}

// add registers replicas (not connected yet) and returns their report funcs.
func (s *liveStatus) add(eps ...string) []func(connected bool, err error) {
	if len(eps) == 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	reports := make([]func(bool, error), len(eps))
	for i, ep := range eps {
		st := &replicaState{err: errors.New("connecting")}
		s.states[ep] = st
		reports[i] = func(connected bool, err error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.states[ep] != st {
				return // a dropped follower's last word
			}
			st.connected, st.err = connected, err
			s.changed()
		}
	}
	s.changed()
	return reports
}

func (s *liveStatus) remove(ep string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.states, ep)
	s.changed()
}

// resolveFailed is news only while no replica is known: otherwise the known
// ones are still followed and their state stands.
func (s *liveStatus) resolveFailed(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.states) == 0 && s.notify != nil {
		s.notify(false, fmt.Errorf("%w: %w", errNoReplica, err))
	}
}

// changed tells notify the state; s.mu is held.
func (s *liveStatus) changed() {
	if s.notify == nil {
		return
	}
	if len(s.states) == 0 {
		s.notify(false, errNoReplica)
		return
	}
	for _, ep := range slices.Sorted(maps.Keys(s.states)) {
		if st := s.states[ep]; !st.connected {
			s.notify(false, fmt.Errorf("tracking replica %s: %w", ep, st.err))
			return
		}
	}
	s.notify(true, nil)
}
