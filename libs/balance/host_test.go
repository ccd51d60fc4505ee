package balance

import (
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPlanCooldown(t *testing.T) {
	now := time.Unix(0, 0)
	h := &host{down: map[string]time.Time{}}
	h.learn(now, []string{"c:1", "a:1", "b:1", "a:1"}, nil)
	if got := h.plan(now); !slices.Equal(got, []string{"a:1", "b:1", "c:1"}) {
		t.Fatalf("plan %v, want sorted, once each", got)
	}
	h.failed("b:1", now.Add(time.Second))
	// b is tried last while it cools down, and a and c take turns.
	for _, want := range [][]string{{"c:1", "a:1", "b:1"}, {"a:1", "c:1", "b:1"}} {
		if got := h.plan(now); !slices.Equal(got, want) {
			t.Errorf("plan %v, want %v", got, want)
		}
	}
	// Back in the round robin once the cooldown is over.
	if got := h.plan(now.Add(time.Second)); !slices.Equal(got, []string{"a:1", "b:1", "c:1"}) {
		t.Errorf("after the cooldown plan %v", got)
	}
	// Every endpoint cooling down: all of them are tried still.
	h.failed("a:1", now.Add(time.Hour))
	h.failed("b:1", now.Add(time.Hour))
	h.failed("c:1", now.Add(time.Hour))
	if got := h.plan(now); len(got) != 3 {
		t.Errorf("all cooling down: plan %v", got)
	}
	// An answer that no longer lists an endpoint ends its cooldown; a
	// failed or empty one changes nothing.
	h.learn(now, []string{"a:1", "b:1"}, nil)
	h.learn(now, nil, nil)
	h.learn(now, []string{"x:1"}, errors.New("dns down"))
	if _, ok := h.down["c:1"]; ok || !slices.Equal(h.eps, []string{"a:1", "b:1"}) {
		t.Errorf("endpoints %v, cooling down %v", h.eps, h.down)
	}
}

// TestHeldBody: Close is deferred while held; the original is closed once.
func TestHeldBody(t *testing.T) {
	orig := &closeCount{Reader: strings.NewReader("abc")}
	b := holdBody(orig)
	b.Close() // a failed attempt
	if orig.closes.Load() != 0 || !b.untouched() {
		t.Fatal("closed while held")
	}
	if got, _ := io.ReadAll(b); string(got) != "abc" || b.untouched() {
		t.Fatalf("read %q", got)
	}
	b.Close()
	b.release()
	b.Close()
	if n := orig.closes.Load(); n != 1 {
		t.Errorf("closed %d times, want 1", n)
	}
	// Released before the last attempt closed it: its Close closes.
	orig = &closeCount{Reader: strings.NewReader("")}
	b = holdBody(orig)
	b.release()
	if orig.closes.Load() != 0 {
		t.Fatal("closed by release alone")
	}
	b.Close()
	if n := orig.closes.Load(); n != 1 {
		t.Errorf("closed %d times, want 1", n)
	}
}
