package main

import (
	"context"
	"encoding/json"

	"github.com/find-peers/find-peers/libs/api"
	"github.com/find-peers/find-peers/libs/sse"
)

// liveState is the data of a live stream's "status" event: whether every
// tracking replica's stream is followed, so that a client (the web page)
// can say that live updates are paused, and know when to fill the gap from
// the list endpoint. The reason is generic: internal addresses stay inside.
type liveState struct {
	Connected bool   `json:"connected"`
	Error     string `json:"error,omitempty"`
}

// liveItem is one frame of a live stream: a sighting or a status change.
type liveItem struct {
	user   api.UserAtLocation
	status *liveState
}

// frame encodes a sighting as a default ("message") event whose id is its
// timeLogged (see resume.go), and a status as an event named "status".
func (it liveItem) frame() ([]byte, error) {
	if it.status == nil {
		b, err := json.Marshal(it.user)
		if err != nil {
			return nil, err
		}
		return sse.Event{ID: eventID(it.user), Data: string(b)}.Encode()
	}
	b, err := json.Marshal(it.status)
	if err != nil {
		return nil, err
	}
	return sse.Event{Event: "status", Data: string(b)}.Encode()
}

// liveStatusSink returns the status callback of followTracking (called with
// a lock held: it must not block) and the channel of the latest state: a
// change not yet sent is replaced by the next one.
func liveStatusSink() (func(connected bool, err error), <-chan liveState) {
	ch := make(chan liveState, 1)
	var last *liveState
	return func(connected bool, err error) {
		st := liveState{Connected: connected}
		if !connected {
			st.Error = "tracking-service is not reachable; live updates resume when it is back"
		}
		if last != nil && *last == st {
			return
		}
		last = &st
		select {
		case <-ch:
		default:
		}
		ch <- st
	}, ch
}

// mergeLive feeds sightings and status changes into one channel for
// sse.Pump until ctx ends.
func mergeLive(ctx context.Context, users <-chan api.UserAtLocation, states <-chan liveState, out chan<- liveItem) {
	for {
		var it liveItem
		select {
		case u := <-users:
			it.user = u
		case s := <-states:
			it.status = &s
		case <-ctx.Done():
			return
		}
		select {
		case out <- it:
		case <-ctx.Done():
			return
		}
	}
}
