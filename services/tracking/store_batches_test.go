package main

import (
	"testing"
	"time"

	"github.com/gocql/gocql"

	"github.com/find-peers/find-peers/libs/api"
)

func TestPartitionBatches(t *testing.T) {
	b1, b2 := gocql.TimeUUID(), gocql.TimeUUID()
	u1, u2 := gocql.TimeUUID(), gocql.TimeUUID()
	hour := time.Date(2016, 9, 6, 10, 0, 0, 0, time.UTC)
	plus2 := time.FixedZone("+02", 2*3600)

	var in []api.Sighting
	// 120 rows of b1 in one hour: batches of 50, 50 and 20.
	for i := range 120 {
		in = append(in, api.Sighting{BeaconID: b1, TimeLogged: hour.Add(time.Duration(i) * time.Second), UserID: gocql.TimeUUID(), Name: "many"})
	}
	// b2 on both sides of an hour boundary, the first given in another zone.
	in = append(in,
		api.Sighting{BeaconID: b2, TimeLogged: hour.Add(59 * time.Minute).In(plus2), UserID: u1, Name: "before"},
		api.Sighting{BeaconID: b2, TimeLogged: hour.Add(time.Hour), UserID: u1, Name: "after"},
	)
	// The same key three times (the same instant in two zones): the last wins.
	dup := hour.Add(30 * time.Minute)
	in = append(in,
		api.Sighting{BeaconID: b2, TimeLogged: dup, UserID: u2, Name: "first"},
		api.Sighting{BeaconID: b2, TimeLogged: dup.In(plus2), UserID: u2, Name: "second"},
		api.Sighting{BeaconID: b2, TimeLogged: dup, UserID: u2, Name: "last"},
	)
	orig := append([]api.Sighting(nil), in...)

	batches := partitionBatches(in)

	type part struct {
		beacon gocql.UUID
		hour   time.Time
	}
	sizes := map[part][]int{}
	names := map[string]bool{}
	total := 0
	for _, rows := range batches {
		if len(rows) == 0 || len(rows) > batchRows {
			t.Fatalf("a batch of %d rows; want 1 to %d", len(rows), batchRows)
		}
		p := part{rows[0].BeaconID, api.HourBucket(rows[0].TimeLogged)}
		for _, r := range rows {
			if r.BeaconID != p.beacon || !api.HourBucket(r.TimeLogged).Equal(p.hour) {
				t.Fatalf("batch of %v mixes partitions: %+v", p, r)
			}
			if r.TimeLogged.Location() != time.UTC {
				t.Errorf("time %v is not in UTC", r.TimeLogged)
			}
			names[r.Name] = true
		}
		sizes[p] = append(sizes[p], len(rows))
		total += len(rows)
	}
	if got := sizes[part{b1, hour}]; len(got) != 3 || got[0] != 50 || got[1] != 50 || got[2] != 20 {
		t.Errorf("b1's batches: %v; want [50 50 20]", got)
	}
	if got := sizes[part{b2, hour}]; len(got) != 1 || got[0] != 2 {
		t.Errorf("b2's first hour: %v; want one batch of 2 (before, last)", got)
	}
	if got := sizes[part{b2, hour.Add(time.Hour)}]; len(got) != 1 || got[0] != 1 {
		t.Errorf("b2's second hour: %v; want one batch of 1", got)
	}
	if total != 123 || names["first"] || names["second"] || !names["last"] {
		t.Errorf("%d rows kept, names %v; want 123 with only the last duplicate", total, names)
	}
	for i := range in {
		if in[i] != orig[i] {
			t.Fatalf("the caller's sighting %d changed: %+v, was %+v", i, in[i], orig[i])
		}
	}
}
