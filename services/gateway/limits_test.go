package main

import (
	"strconv"
	"testing"
	"time"
)

func secondsDur(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// TestLimitersForgetIdleBuckets keeps memory bounded: buckets unused for
// Idle are dropped, and a key's new limits apply to its bucket at once.
func TestLimitersForgetIdleBuckets(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	l := newLimiters(limitConfig{Rate: 1, Burst: 1, Idle: time.Minute})
	l.now = func() time.Time { return now }
	for i := range 100 {
		if d := l.wait("ip:"+strconv.Itoa(i), 0, 0); d != 0 {
			t.Fatalf("first request of a new client waits %s", d)
		}
	}
	if d := l.wait("ip:0", 0, 0); d <= 0 || d > time.Second {
		t.Errorf("second request at once: wait %s, want (0, 1s]", d)
	}
	// A key's own, larger burst applies to its existing bucket: after 5 s
	// it holds 5 tokens, not 1.
	l.wait("ip:0", 0, 5)
	now = now.Add(5 * time.Second)
	for i := range 5 {
		if d := l.wait("ip:0", 0, 5); d != 0 {
			t.Fatalf("request %d within the larger burst waits %s", i, d)
		}
	}
	if d := l.wait("ip:0", 0, 5); d == 0 {
		t.Error("sixth request passed a burst of 5")
	}
	now = now.Add(2 * time.Minute)
	l.wait("ip:new", 0, 0)
	if n := l.size(); n != 1 {
		t.Errorf("%d buckets after the idle sweep, want 1", n)
	}
	off := newLimiters(limitConfig{Rate: 0, Burst: 1})
	for range 10 {
		if d := off.wait("ip:x", 0, 0); d != 0 {
			t.Fatal("rate 0 limited")
		}
	}
	if off.size() != 0 {
		t.Error("rate 0 kept buckets")
	}
}
