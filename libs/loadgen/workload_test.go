package loadgen

import (
	"testing"
	"time"
)

func TestPrebuiltBuildsOnceAndCycles(t *testing.T) {
	calls := 0
	gen := Prebuilt(3, func(i int) int { calls++; return i * 10 })
	if calls != 3 {
		t.Fatalf("gen called %d times while building, want 3", calls)
	}
	for i, want := range map[int]int{0: 0, 1: 10, 2: 20, 3: 0, 7: 10, -1: 20, -3: 0, -5: 10} {
		if got := gen(i); got != want {
			t.Errorf("gen(%d) = %d, want %d", i, got, want)
		}
	}
	if calls != 3 {
		t.Fatalf("gen called %d times in all, want 3: values must be built ahead", calls)
	}
}

func TestPrebuiltRejectsEmptyPool(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("Prebuilt(0, ...) did not panic")
		}
	}()
	Prebuilt(0, func(int) int { return 0 })
}

func TestSightingRequestsArePrebuiltIdentically(t *testing.T) {
	w := SightingWorkload{Base: "http://127.0.0.1:1", Beacons: []string{UUID(nil), UUID(nil)}, Batch: 4, At: time.Unix(1700000000, 0), Seed: 9}
	gen := Prebuilt(5, w.Request)
	for i := range 10 {
		if got, want := string(gen(i).Body), string(w.Request(i%5).Body); got != want {
			t.Fatalf("request %d: body %s, want request %d's %s", i, got, i%5, want)
		}
	}
}
