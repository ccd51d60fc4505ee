package loadgen

import (
	crand "crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Workloads of the find-peers API. Paths are the same on a service and on
// the gateway, so base is either.

// SightingWorkload posts sightings to POST /tracking/sightings: one object
// when Batch is 1, else an array of Batch. Sightings go to the beacons in
// round-robin (so a batch touches min(Batch, len(Beacons)) partitions), with
// random user ids and times spread over the hour that contains At.
type SightingWorkload struct {
	Base    string
	Beacons []string
	Batch   int
	At      time.Time // zero: now
	Seed    uint64
	// Token is the gateway API key sent as a bearer credential; empty
	// sends none (the services themselves take no credential).
	Token string
}

// Sighting is the JSON posted (the tracking API's field names).
type Sighting struct {
	BeaconID   string `json:"beaconId"`
	TimeLogged string `json:"timeLogged"`
	UserID     string `json:"userId"`
	Name       string `json:"name"`
}

// Rows returns the sightings of request i (deterministic for a seed).
func (w SightingWorkload) Rows(i int) []Sighting {
	n := max(w.Batch, 1)
	rng := rand.New(rand.NewPCG(w.Seed, uint64(i)))
	at := w.At
	if at.IsZero() {
		at = time.Now()
	}
	hour := at.UTC().Truncate(time.Hour)
	rows := make([]Sighting, n)
	for k := range rows {
		rows[k] = Sighting{
			BeaconID:   w.Beacons[((i*n+k)%len(w.Beacons)+len(w.Beacons))%len(w.Beacons)],
			TimeLogged: hour.Add(time.Duration(rng.Int64N(int64(time.Hour/time.Millisecond))) * time.Millisecond).Format(time.RFC3339Nano),
			UserID:     UUID(rng),
			Name:       fmt.Sprintf("load user %d", rng.IntN(100000)),
		}
	}
	return rows
}

// Request builds request i.
func (w SightingWorkload) Request(i int) Request {
	rows := w.Rows(i)
	var body []byte
	if w.Batch <= 1 {
		body, _ = json.Marshal(rows[0])
	} else {
		body, _ = json.Marshal(rows)
	}
	return Request{Method: "POST", URL: strings.TrimRight(w.Base, "/") + "/tracking/sightings", Body: body, Items: len(rows), Token: w.Token}
}

// HourQueries asks GET /tracking/beacons/{beacon}/{epoch}, beacons in turn.
func HourQueries(base string, beacons []string, at time.Time) func(int) Request {
	return func(i int) Request {
		return Request{Method: "GET", URL: fmt.Sprintf("%s/tracking/beacons/%s/%d", strings.TrimRight(base, "/"), beacons[i%len(beacons)], at.Unix())}
	}
}

// LocationQueries asks GET /aggregator/locations/{location}/{epoch}.
func LocationQueries(base string, locations []string, at time.Time) func(int) Request {
	return func(i int) Request {
		return Request{Method: "GET", URL: fmt.Sprintf("%s/aggregator/locations/%s/%d", strings.TrimRight(base, "/"), locations[i%len(locations)], at.Unix())}
	}
}

// BeaconsAt asks GET /beacons/locations/{location}.
func BeaconsAt(base string, locations []string) func(int) Request {
	return func(i int) Request {
		return Request{Method: "GET", URL: fmt.Sprintf("%s/beacons/locations/%s", strings.TrimRight(base, "/"), locations[i%len(locations)])}
	}
}

// UUID returns a random (version 4) UUID from rng, or from crypto/rand when
// rng is nil.
func UUID(rng *rand.Rand) string {
	var b [16]byte
	if rng == nil {
		_, _ = cryptoRead(b[:])
	} else {
		binary.LittleEndian.PutUint64(b[:8], rng.Uint64())
		binary.LittleEndian.PutUint64(b[8:], rng.Uint64())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

var cryptoRead = crand.Read

// Prebuilt builds gen(0) .. gen(n-1) now and returns a generator that hands
// them out in turn: operation i gets value i mod n (warm-up operations, whose
// indexes are negative, too). A load generator on the same cores as what it
// measures takes CPU from it; building requests ahead (JSON encoding, random
// ids, time formatting) keeps that cost out of the measured run, the same for
// every mode that uses it. The values repeat after n operations, so writes
// then overwrite the same n requests' rows.
func Prebuilt[T any](n int, gen func(int) T) func(int) T {
	if n < 1 {
		panic("loadgen: Prebuilt needs n >= 1")
	}
	pool := make([]T, n)
	for i := range pool {
		pool[i] = gen(i)
	}
	return func(i int) T { return pool[(i%n+n)%n] }
}
