package main

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gocql/gocql"

	"github.com/find-peers/find-peers/libs/api"
)

func mustUUID(t testing.TB, s string) gocql.UUID {
	t.Helper()
	id, err := gocql.ParseUUID(s)
	if err != nil {
		t.Fatalf("parse uuid %q: %v", s, err)
	}
	return id
}

func TestMergeSortsNewestFirstWithDeterministicTies(t *testing.T) {
	t0 := time.Date(2016, 9, 6, 10, 0, 0, 0, time.UTC)
	b1 := api.Beacon{BeaconID: mustUUID(t, "5bf966d9-8046-4fc1-ae5a-80c923ebea5a"), BeaconName: "Kitchen"}
	b2 := api.Beacon{BeaconID: mustUUID(t, "99a627ed-d91b-45de-beef-5e73c4edba87"), BeaconName: "Bed Room"}
	u1 := mustUUID(t, "11111111-0000-0000-0000-000000000000")
	u2 := mustUUID(t, "22222222-0000-0000-0000-000000000000")
	results := [][]api.Sighting{
		{ // Kitchen
			{BeaconID: b1.BeaconID, UserID: u2, Name: "B", TimeLogged: t0},
			{BeaconID: b1.BeaconID, UserID: u1, Name: "A", TimeLogged: t0.Add(-time.Minute)},
		},
		{ // Bed Room
			{BeaconID: b2.BeaconID, UserID: u2, Name: "B", TimeLogged: t0},
			{BeaconID: b2.BeaconID, UserID: u1, Name: "A", TimeLogged: t0},
			{BeaconID: b2.BeaconID, UserID: u1, Name: "Late", TimeLogged: t0.Add(30 * time.Minute).In(time.FixedZone("X", 3600))},
		},
	}
	got := merge([]api.Beacon{b1, b2}, results)
	want := []struct {
		name, beacon string
		at           time.Time
	}{
		{"Late", "Bed Room", t0.Add(30 * time.Minute)},
		{"A", "Bed Room", t0}, // same time: beacon name, then user id
		{"B", "Bed Room", t0},
		{"B", "Kitchen", t0},
		{"A", "Kitchen", t0.Add(-time.Minute)},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d users, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Name != w.name || g.BeaconName != w.beacon || !g.TimeLogged.Equal(w.at) {
			t.Errorf("[%d] = %s@%s %s, want %s@%s %s", i, g.Name, g.BeaconName, g.TimeLogged, w.name, w.beacon, w.at)
		}
		if g.TimeLogged.Location() != time.UTC {
			t.Errorf("[%d] time %s not in UTC", i, g.TimeLogged)
		}
	}
	// Same input in another order gives the same answer.
	again := merge([]api.Beacon{b2, b1}, [][]api.Sighting{results[1], results[0]})
	for i := range got {
		if got[i] != again[i] {
			t.Fatalf("merge not deterministic at %d: %+v vs %+v", i, got[i], again[i])
		}
	}
}

func TestMergeEmptyIsEmptyListNotNil(t *testing.T) {
	got := merge(nil, nil)
	if got == nil || len(got) != 0 {
		t.Fatalf("merge(nil) = %#v, want empty non-nil slice (JSON [])", got)
	}
}

func TestUniqueBeaconsDropsDuplicates(t *testing.T) {
	a := api.Beacon{BeaconID: mustUUID(t, "5bf966d9-8046-4fc1-ae5a-80c923ebea5a"), BeaconName: "a"}
	b := api.Beacon{BeaconID: mustUUID(t, "99a627ed-d91b-45de-beef-5e73c4edba87"), BeaconName: "b"}
	kept, ids := uniqueBeacons([]api.Beacon{a, b, a})
	if len(kept) != 2 || len(ids) != 2 || ids[0] != a.BeaconID || ids[1] != b.BeaconID {
		t.Fatalf("uniqueBeacons = %v %v", kept, ids)
	}
}

func beaconIDs(n int) []gocql.UUID {
	ids := make([]gocql.UUID, n)
	for i := range ids {
		ids[i][15] = byte(i + 1)
	}
	return ids
}

// perBeacon adapts a one-beacon fetch to fetchFunc, for fan-outs of one
// beacon a call.
func perBeacon(f func(context.Context, gocql.UUID) ([]api.Sighting, error)) fetchFunc {
	return func(ctx context.Context, chunk []gocql.UUID) ([][]api.Sighting, error) {
		out := make([][]api.Sighting, len(chunk))
		for i, b := range chunk {
			var err error
			if out[i], err = f(ctx, b); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
}

func TestFanOutBoundsConcurrency(t *testing.T) {
	const limit = 3
	var inFlight, peak atomic.Int64
	ids := beaconIDs(12)
	_, err := fanOut(t.Context(), ids, 1, limit, perBeacon(func(ctx context.Context, b gocql.UUID) ([]api.Sighting, error) {
		n := inFlight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(10 * time.Millisecond)
		inFlight.Add(-1)
		return nil, nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	if p := peak.Load(); p != limit {
		t.Fatalf("peak concurrency %d, want %d", p, limit)
	}
}

func TestFanOutKeepsBeaconOrder(t *testing.T) {
	ids := beaconIDs(20)
	results, err := fanOut(t.Context(), ids, 1, 16, perBeacon(func(ctx context.Context, b gocql.UUID) ([]api.Sighting, error) {
		time.Sleep(time.Duration(20-int(b[15])) * time.Millisecond) // later beacons finish first
		return []api.Sighting{{BeaconID: b}}, nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range results {
		if len(r) != 1 || r[0].BeaconID != ids[i] {
			t.Fatalf("results[%d] = %v, want beacon %s", i, r, ids[i])
		}
	}
}

func TestFanOutFailsFastAndNamesTheFailingBeacon(t *testing.T) {
	ids := beaconIDs(5)
	bad := ids[2]
	start := time.Now()
	_, err := fanOut(t.Context(), ids, 1, 16, perBeacon(func(ctx context.Context, b gocql.UUID) ([]api.Sighting, error) {
		if b == bad {
			return nil, &UpstreamError{Service: "tracking-service", Kind: failStatus, Status: 500}
		}
		select { // the others would take long: they must be canceled
		case <-time.After(5 * time.Second):
			return nil, nil
		case <-ctx.Done():
			return nil, &UpstreamError{Service: "tracking-service", Kind: failCanceled, Err: ctx.Err()}
		}
	}))
	if time.Since(start) > time.Second {
		t.Fatalf("fan-out took %s: the failure did not cancel the other calls", time.Since(start))
	}
	var te *TrackingError
	if !errors.As(err, &te) {
		t.Fatalf("err = %v, want *TrackingError", err)
	}
	if len(te.Failed) != 1 || len(te.Failed[0].BeaconIDs) != 1 || te.Failed[0].BeaconIDs[0] != bad || te.Canceled != 4 {
		t.Fatalf("TrackingError = %+v, want only %s failed and 4 canceled", te, bad)
	}
	if msg := te.ClientMessage(); msg != fmt.Sprintf("tracking-service failed for beacon(s): %s (status 500)", bad) {
		t.Fatalf("client message = %q", msg)
	}
}

func TestFanOutStopsWhenTheCallerCancels(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	var started atomic.Int64
	done := make(chan error, 1)
	go func() {
		_, err := fanOut(ctx, beaconIDs(40), 1, 4, perBeacon(func(ctx context.Context, b gocql.UUID) ([]api.Sighting, error) {
			started.Add(1)
			<-ctx.Done()
			return nil, ctx.Err()
		}))
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("fan-out did not return after cancellation")
	}
	if n := started.Load(); n != 4 {
		t.Fatalf("%d calls started, want only the first 4 (the rest never start once canceled)", n)
	}
}

func TestFanOutNoBeacons(t *testing.T) {
	results, err := fanOut(t.Context(), nil, 1, 16, perBeacon(func(context.Context, gocql.UUID) ([]api.Sighting, error) {
		t.Fatal("fetch called without beacons")
		return nil, nil
	}))
	if err != nil || len(results) != 0 {
		t.Fatalf("fanOut(nil) = %v, %v", results, err)
	}
}

func TestChunks(t *testing.T) {
	ids := beaconIDs(7)
	got := chunks(ids, 3)
	if len(got) != 3 || len(got[0]) != 3 || len(got[1]) != 3 || len(got[2]) != 1 || got[2][0] != ids[6] {
		t.Fatalf("chunks(7, 3) = %v", got)
	}
	if got := chunks(nil, 100); len(got) != 0 {
		t.Fatalf("chunks(nil) = %v", got)
	}
	if cap(got[0]) != 3 {
		t.Fatalf("cap(chunk) = %d: appending to a chunk would overwrite the next one", cap(got[0]))
	}
}

// TestFanOutChunksKeepBeaconOrder: chunked calls answer in beacon order.
func TestFanOutChunksKeepBeaconOrder(t *testing.T) {
	ids := beaconIDs(10)
	var calls atomic.Int64
	results, err := fanOut(t.Context(), ids, 4, 16, func(ctx context.Context, chunk []gocql.UUID) ([][]api.Sighting, error) {
		calls.Add(1)
		out := make([][]api.Sighting, len(chunk))
		for i, b := range chunk {
			out[i] = []api.Sighting{{BeaconID: b}}
		}
		return out, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 3 {
		t.Fatalf("%d calls for 10 beacons in chunks of 4, want 3", calls.Load())
	}
	for i, r := range results {
		if len(r) != 1 || r[0].BeaconID != ids[i] {
			t.Fatalf("results[%d] = %v, want beacon %s", i, r, ids[i])
		}
	}
}

// TestFanOutFailingChunkNamesItsBeacons: one failing call fails the whole
// answer and names every beacon it asked for.
func TestFanOutFailingChunkNamesItsBeacons(t *testing.T) {
	ids := beaconIDs(6)
	_, err := fanOut(t.Context(), ids, 2, 1, func(ctx context.Context, chunk []gocql.UUID) ([][]api.Sighting, error) {
		if chunk[0] == ids[2] {
			return nil, &UpstreamError{Service: "tracking-service", Kind: failStatus, Status: 503}
		}
		return make([][]api.Sighting, len(chunk)), nil
	})
	var te *TrackingError
	if !errors.As(err, &te) {
		t.Fatalf("err = %v, want *TrackingError", err)
	}
	want := fmt.Sprintf("tracking-service failed for beacon(s): %s, %s (status 503)", ids[2], ids[3])
	if msg := te.ClientMessage(); msg != want || te.Canceled != 1 {
		t.Fatalf("client message %q, %d canceled; want %q, 1 (the last chunk, fail fast)", msg, te.Canceled, want)
	}
	// A short answer is never a partial list either.
	_, err = fanOut(t.Context(), ids, 3, 4, func(ctx context.Context, chunk []gocql.UUID) ([][]api.Sighting, error) {
		return make([][]api.Sighting, 1), nil
	})
	if !errors.As(err, &te) {
		t.Fatalf("short answer: err = %v, want *TrackingError", err)
	}
}

// BenchmarkMerge merges 50 beacons x 200 sightings (10 000 users), a busy
// location's hour.
func BenchmarkMerge(b *testing.B) {
	const nBeacons, perBeacon = 50, 200
	t0 := time.Date(2016, 9, 6, 10, 0, 0, 0, time.UTC)
	beacons := make([]api.Beacon, nBeacons)
	results := make([][]api.Sighting, nBeacons)
	for i := range beacons {
		beacons[i] = api.Beacon{BeaconID: gocql.UUID{byte(i)}, BeaconName: fmt.Sprintf("beacon %02d", i)}
		results[i] = make([]api.Sighting, perBeacon)
		for j := range results[i] {
			results[i][j] = api.Sighting{
				BeaconID:   beacons[i].BeaconID,
				UserID:     gocql.UUID{byte(j), byte(j >> 8)},
				Name:       "user",
				TimeLogged: t0.Add(-time.Duration((i*7919+j*104729)%3600) * time.Second),
			}
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if got := merge(beacons, results); len(got) != nBeacons*perBeacon {
			b.Fatal(len(got))
		}
	}
}
