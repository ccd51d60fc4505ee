package systemcheck

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Stream is an open live stream of a location's sightings.
type Stream struct {
	cancel context.CancelFunc
	done   chan struct{}
	mu     sync.Mutex
	seen   map[string]time.Time // userId -> when its event arrived
	err    error                // why the stream ended, if it did
	wake   chan struct{}        // closed and replaced on every event
}

// OpenLive subscribes to GET /aggregator/locations/{location}/live and
// records every event's user until Close.
func (g Gateway) OpenLive(ctx context.Context, location string) (*Stream, error) {
	ctx, cancel := context.WithCancel(ctx)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, g.URL+"/aggregator/locations/"+location+"/live", nil)
	if err != nil {
		cancel()
		return nil, err
	}
	req.Header.Set("Accept", "text/event-stream")
	// The client's timeout would cut the stream: a copy without one.
	c := *g.HTTP
	c.Timeout = 0
	resp, err := c.Do(req)
	if err != nil {
		cancel()
		return nil, err
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		resp.Body.Close()
		cancel()
		return nil, fmt.Errorf("live: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	s := &Stream{cancel: cancel, done: make(chan struct{}), seen: map[string]time.Time{}, wake: make(chan struct{})}
	go s.read(resp.Body)
	return s, nil
}

func (s *Stream) read(body io.ReadCloser) {
	defer close(s.done)
	defer body.Close()
	sc := bufio.NewScanner(body)
	var err error
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data:")
		if !ok {
			continue
		}
		var u UserAtLocation
		if err = json.Unmarshal([]byte(strings.TrimSpace(data)), &u); err != nil {
			err = fmt.Errorf("live event %q: %w", data, err)
			break
		}
		s.mu.Lock()
		s.seen[u.UserID] = time.Now()
		close(s.wake)
		s.wake = make(chan struct{})
		s.mu.Unlock()
	}
	if err == nil {
		err = sc.Err()
	}
	if err == nil {
		err = errors.New("the live stream ended")
	}
	s.mu.Lock()
	s.err = err
	close(s.wake)
	s.mu.Unlock()
}

// WaitFor waits until an event for every user id has arrived, or timeout
// passes, or the stream ends; it returns the ids still missing (and why the
// stream ended, if it did).
func (s *Stream) WaitFor(ids []string, timeout time.Duration) ([]string, error) {
	deadline := time.After(timeout)
	for {
		s.mu.Lock()
		var missing []string
		for _, id := range ids {
			if _, ok := s.seen[id]; !ok {
				missing = append(missing, id)
			}
		}
		wake, err := s.wake, s.err
		s.mu.Unlock()
		if len(missing) == 0 || err != nil {
			return missing, err
		}
		select {
		case <-wake:
		case <-deadline:
			return missing, nil
		}
	}
}

// Arrived is when the event of a user id arrived.
func (s *Stream) Arrived(id string) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.seen[id]
	return t, ok
}

// Close ends the stream.
func (s *Stream) Close() {
	s.cancel()
	<-s.done
}

// LiveCheck subscribes to the bed room's live stream, posts a sighting of a
// fresh user there and waits for it on the stream. It returns the sighting
// and how long after the POST was acknowledged the event arrived.
func (g Gateway) LiveCheck(ctx context.Context, name string) (Sighting, time.Duration, error) {
	st, err := g.OpenLive(ctx, BedRoomLocation)
	if err != nil {
		return Sighting{}, 0, err
	}
	defer st.Close()
	// The aggregator subscribes upstream when the client does; give that a
	// moment so the sighting is not posted before the chain is connected.
	time.Sleep(500 * time.Millisecond)
	s := NewSighting(name)
	code, body, err := g.Post(ctx, s)
	if err != nil {
		return s, 0, err
	}
	if code/100 != 2 {
		return s, 0, fmt.Errorf("POST /tracking/sightings: %d %s", code, body)
	}
	acked := time.Now()
	missing, err := st.WaitFor([]string{s.UserID}, 10*time.Second)
	if len(missing) > 0 {
		return s, 0, fmt.Errorf("no live event within 10 s of the POST (stream: %v)", err)
	}
	at, _ := st.Arrived(s.UserID)
	return s, max(at.Sub(acked), 0), nil
}
