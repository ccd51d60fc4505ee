package main

import (
	"crypto/sha1"
	"fmt"
	"math/rand/v2"
)

// A small building: each room a location with one or two beacons. Ids are
// derived from the names (name-based, like a version 5 UUID), so running the
// simulator again uses the same locations, beacons and people instead of
// piling up new ones.
var rooms = []struct {
	name    string
	beacons []string
}{
	{"Lobby", []string{"Lobby Door Beacon", "Lobby Desk Beacon"}},
	{"Kitchen", []string{"Kitchen Beacon"}},
	{"Meeting Room", []string{"Meeting Room Beacon"}},
	{"Lab", []string{"Lab North Beacon", "Lab South Beacon"}},
	{"Library", []string{"Library Beacon"}},
}

var firstNames = []string{"Ada", "Bao", "Chidi", "Dara", "Emil", "Farah", "Goran", "Hana", "Ines", "Jonas",
	"Kiri", "Lena", "Mateo", "Nia", "Omar", "Priya", "Quinn", "Rosa", "Sami", "Tove"}
var lastNames = []string{"Okafor", "Lindqvist", "Tanaka", "Moreau", "Haddad", "Novak", "Silva", "Kowalski"}

// nameUUID is a UUID (version 5 layout) from a SHA-1 of the name.
func nameUUID(name string) string {
	h := sha1.Sum([]byte("find-peers simulator/" + name))
	h[6] = h[6]&0x0f | 0x50
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

type beacon struct{ id, name, locationID string }

type room struct {
	name, locationID string
	beacons          []beacon
}

func building() []room {
	out := make([]room, len(rooms))
	for i, r := range rooms {
		out[i] = room{name: r.name, locationID: nameUUID("location/" + r.name)}
		for _, b := range r.beacons {
			out[i].beacons = append(out[i].beacons, beacon{id: nameUUID("beacon/" + b), name: b, locationID: out[i].locationID})
		}
	}
	return out
}

// person is someone who comes and goes; at is the room they are in, or -1.
type person struct {
	id, name string
	at       int
}

func people(n int) []*person {
	ps := make([]*person, n)
	for i := range ps {
		name := firstNames[i%len(firstNames)] + " " + lastNames[(i/len(firstNames)+i)%len(lastNames)]
		ps[i] = &person{id: nameUUID(fmt.Sprintf("person/%d/%s", i, name)), name: name, at: -1}
	}
	return ps
}

// step moves one person, chosen at random, and returns the beacon that sees
// them now (nil: they left). Arrivals come in through the lobby; someone
// present mostly stays (seen again, maybe by the room's other beacon),
// sometimes walks to another room, now and then leaves.
func step(rng *rand.Rand, b []room, ps []*person) (*person, *beacon, string) {
	p := ps[rng.IntN(len(ps))]
	what := "is still in"
	switch r := rng.Float64(); {
	case p.at < 0:
		p.at, what = 0, "arrives in"
	case r < 0.15:
		p.at = -1
		return p, nil, "leaves"
	case r < 0.55:
		p.at, what = rng.IntN(len(b)), "walks to"
	}
	bs := b[p.at].beacons
	return p, &bs[rng.IntN(len(bs))], what
}
