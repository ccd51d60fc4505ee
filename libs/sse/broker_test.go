package sse

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

func recv(t *testing.T, s *Subscription) string {
	t.Helper()
	select {
	case f, ok := <-s.C:
		if !ok {
			t.Fatal("subscription closed")
		}
		return string(f)
	case <-time.After(2 * time.Second):
		t.Fatal("no event")
		return ""
	}
}

func TestBrokerFanOutAndFilter(t *testing.T) {
	b := NewBroker(8)
	all := b.Subscribe(nil)
	onlyA := b.Subscribe(func(k string) bool { return k == "a" })
	if n, err := b.Publish("a", Event{Data: "1"}); err != nil || n != 2 {
		t.Fatalf("Publish a = %d, %v", n, err)
	}
	if n, _ := b.Publish("b", Event{Data: "2"}); n != 1 {
		t.Fatalf("Publish b reached %d", n)
	}
	if got := recv(t, all); got != "data: 1\n\n" {
		t.Errorf("all got %q", got)
	}
	if got := recv(t, all); got != "data: 2\n\n" {
		t.Errorf("all got %q", got)
	}
	if got := recv(t, onlyA); got != "data: 1\n\n" {
		t.Errorf("onlyA got %q", got)
	}
	select {
	case f := <-onlyA.C:
		t.Errorf("filtered subscriber got %q", f)
	default:
	}
}

func TestBrokerDropsSlowSubscriberWithoutBlocking(t *testing.T) {
	b := NewBroker(2)
	slow := b.Subscribe(nil)
	fast := b.Subscribe(nil)
	var got []string
	var wg sync.WaitGroup
	wg.Go(func() {
		for f := range fast.C {
			got = append(got, string(f))
		}
	})

	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 100 {
			if _, err := b.Publish("", Event{Data: fmt.Sprint(i)}); err != nil {
				t.Error(err)
			}
			// Let the fast reader keep up; the slow one never reads.
			time.Sleep(100 * time.Microsecond)
		}
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Publish blocked on a slow subscriber")
	}

	if !slow.Dropped() {
		t.Error("slow subscriber not dropped")
	}
	// The slow subscriber keeps what it had buffered, then sees the close.
	n := 0
	for range slow.C {
		n++
	}
	if n != 2 {
		t.Errorf("slow subscriber had %d buffered events, want 2", n)
	}
	if fast.Dropped() {
		t.Error("fast subscriber dropped")
	}
	st := b.Stats()
	if st.Dropped != 1 || st.Subscribers != 1 || st.Published != 100 {
		t.Errorf("stats = %+v", st)
	}
	b.Unsubscribe(fast)
	wg.Wait()
	if len(got) < 90 {
		t.Errorf("fast subscriber got only %d of 100 events", len(got))
	}
}

func TestBrokerUnsubscribeIdempotent(t *testing.T) {
	b := NewBroker(1)
	s := b.Subscribe(nil)
	b.Unsubscribe(s)
	b.Unsubscribe(s)
	if _, ok := <-s.C; ok {
		t.Error("channel open after Unsubscribe")
	}
	if n, _ := b.Publish("", Event{Data: "x"}); n != 0 {
		t.Errorf("published to %d after unsubscribe", n)
	}
	// Unsubscribing a dropped subscription is fine too.
	d := b.Subscribe(nil)
	b.Publish("", Event{Data: "1"})
	b.Publish("", Event{Data: "2"})
	if !d.Dropped() {
		t.Fatal("not dropped")
	}
	b.Unsubscribe(d)
}

func TestBrokerClose(t *testing.T) {
	b := NewBroker(1)
	s := b.Subscribe(nil)
	b.Close()
	b.Close()
	if _, ok := <-s.C; ok {
		t.Error("subscription open after Close")
	}
	late := b.Subscribe(nil)
	if _, ok := <-late.C; ok {
		t.Error("subscription on a closed broker is open")
	}
	if s.Dropped() {
		t.Error("Close reported as a slow-subscriber drop")
	}
}

func TestBrokerPublishInvalidEvent(t *testing.T) {
	b := NewBroker(1)
	s := b.Subscribe(nil)
	if _, err := b.Publish("", Event{ID: "a\nb"}); err == nil {
		t.Error("invalid event published")
	}
	select {
	case f := <-s.C:
		t.Errorf("subscriber got %q", f)
	default:
	}
}

func TestBrokerConcurrentUse(t *testing.T) {
	b := NewBroker(4)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 200 {
				s := b.Subscribe(func(k string) bool { return k == fmt.Sprint(i%2) })
				b.Publish(fmt.Sprint(j%2), Event{Data: "x"})
				b.Unsubscribe(s)
			}
		})
	}
	wg.Wait()
	if st := b.Stats(); st.Subscribers != 0 {
		t.Errorf("stats = %+v", st)
	}
}

func TestBrokerWants(t *testing.T) {
	b := NewBroker(8)
	if b.Wants("a") {
		t.Error("Wants with no subscribers")
	}
	onlyA := b.Subscribe(func(k string) bool { return k == "a" })
	if !b.Wants("a") || b.Wants("b") {
		t.Errorf("Wants(a), Wants(b) = %v, %v; want true, false", b.Wants("a"), b.Wants("b"))
	}
	all := b.Subscribe(nil)
	if !b.Wants("b") {
		t.Error("Wants(b) false with an unfiltered subscriber")
	}
	b.Unsubscribe(all)
	b.Unsubscribe(onlyA)
	if b.Wants("a") {
		t.Error("Wants after every subscriber left")
	}
}
