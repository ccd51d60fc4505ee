package main

// GET /beacons/locations: the known locations with their beacons, a page at
// a time, for a person choosing a location (locations have no names of their
// own; their beacons' names say what they are).

import (
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"sync"

	"github.com/gocql/gocql"

	"github.com/find-peers/find-peers/libs/api"
	"github.com/find-peers/find-peers/libs/httpx"
	"github.com/find-peers/find-peers/libs/storeerr"
)

const (
	// defaultLocationsLimit and maxLocationsLimit bound ?limit=: each
	// location on a page costs one partition read on top of the scan.
	defaultLocationsLimit = 50
	maxLocationsLimit     = 100
	// maxPageToken bounds ?page= in characters. Cassandra's paging state
	// for this table is about 50 bytes (a location id, a row mark and two
	// counters), so 512 characters (384 bytes) is ample and keeps hostile
	// input from reaching the database.
	maxPageToken = 512
	// locationReads bounds the beacon reads in flight for one page: enough
	// to hide round trips, few enough that one request cannot take every
	// connection's streams.
	locationReads = 8
)

// pageEncoding writes and reads the page token: unpadded base64url, so the
// token needs no escaping in a query string, and strict, so one paging state
// has one spelling.
var pageEncoding = base64.RawURLEncoding.Strict()

// locationsPage is the answer of GET /beacons/locations. These types are
// beacon-service's alone (the gateway only proxies, and no service decodes
// them), so they live here rather than in libs/api.
type locationsPage struct {
	Locations []locationBeacons `json:"locations"` // [] when none, never null
	// Next is the token of the following page; absent on the last page.
	Next string `json:"next,omitempty"`
}

// locationBeacons is one location with its beacons, sorted by name then id.
// The beacons omit locationId, which their location already says.
type locationBeacons struct {
	LocationID gocql.UUID    `json:"locationId"`
	Beacons    []beaconLabel `json:"beacons"`
}

type beaconLabel struct {
	BeaconID   gocql.UUID `json:"beaconId"`
	BeaconName string     `json:"beaconName"`
}

// listLocations answers GET /beacons/locations?limit=&page=: up to limit
// locations that have beacons, each with its beacons. Unknown query
// parameters are ignored, as everywhere in the API.
func listLocations(s store) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		limit, page, err := parseLocationsQuery(r.URL.RawQuery)
		if err != nil {
			return err
		}
		ids, next, err := s.Locations(r.Context(), limit, page)
		if errors.Is(err, errBadPage) {
			return httpx.Wrap(http.StatusBadRequest, "page is not a token from a previous answer's next", err)
		}
		if err != nil {
			return storeerr.HTTP(err)
		}
		locations, err := beaconsOfLocations(r.Context(), s, ids)
		if err != nil {
			return storeerr.HTTP(err)
		}
		answer := locationsPage{Locations: locations}
		if next != nil {
			answer.Next = pageEncoding.EncodeToString(next)
		}
		return httpx.WriteJSON(w, http.StatusOK, answer)
	}
}

// parseLocationsQuery reads limit (1 to 100, default 50) and page (a token
// from a previous answer; nil when absent) strictly: a parameter given twice,
// empty, or malformed is a 400 naming it.
func parseLocationsQuery(rawQuery string) (limit int, page []byte, err error) {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return 0, nil, httpx.BadRequest("malformed query string: %v", err)
	}
	limit = defaultLocationsLimit
	if v, ok, err := single(q, "limit"); err != nil {
		return 0, nil, err
	} else if ok {
		if limit, ok = smallInt(v); !ok || limit < 1 || limit > maxLocationsLimit {
			return 0, nil, httpx.BadRequest("limit %q is not an integer from 1 to %d", clip(v), maxLocationsLimit)
		}
	}
	if v, ok, err := single(q, "page"); err != nil {
		return 0, nil, err
	} else if ok {
		if v == "" || len(v) > maxPageToken {
			return 0, nil, httpx.BadRequest("page must be the next token of a previous answer (1 to %d characters)", maxPageToken)
		}
		if page, err = pageEncoding.DecodeString(v); err != nil {
			return 0, nil, httpx.BadRequest("page %q is not a token from a previous answer's next", clip(v))
		}
	}
	return limit, page, nil
}

// single returns the one value of query parameter name; ok is false when it
// is absent, and giving it more than once is an error.
func single(q url.Values, name string) (v string, ok bool, err error) {
	switch vs := q[name]; len(vs) {
	case 0:
		return "", false, nil
	case 1:
		return vs[0], true, nil
	default:
		return "", false, httpx.BadRequest("%s is given %d times, at most once allowed", name, len(vs))
	}
}

// smallInt parses 1 to 3 ASCII digits: no sign, no spaces, nothing else.
func smallInt(s string) (int, bool) {
	if s == "" || len(s) > 3 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// clip bounds client input echoed in error messages.
func clip(s string) string {
	const n = 64
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// beaconsOfLocations reads each location's beacons (store.BeaconsAt, one
// bounded partition read each), at most locationReads at a time. The first
// failure cancels the reads still running and fails the page: a location
// listed without its beacons would look empty and be wrong. Locations left
// without beacons (all moved away since the scan) are dropped, so a page may
// be shorter than its limit. The answer keeps the scan's order.
func beaconsOfLocations(ctx context.Context, s store, ids []gocql.UUID) ([]locationBeacons, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	found := make([][]api.Beacon, len(ids))
	slots := make(chan struct{}, locationReads)
	var wg sync.WaitGroup
	for i, id := range ids {
		slots <- struct{}{}
		if ctx.Err() != nil {
			break // a read failed: start no more
		}
		wg.Go(func() {
			defer func() { <-slots }()
			bs, err := s.BeaconsAt(ctx, id)
			if err != nil {
				cancel(err) // the first cause wins
				return
			}
			found[i] = bs
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	out := make([]locationBeacons, 0, len(ids))
	for i, bs := range found {
		if len(bs) == 0 {
			continue
		}
		labels := make([]beaconLabel, len(bs))
		for j, b := range bs {
			labels[j] = beaconLabel{BeaconID: b.BeaconID, BeaconName: b.BeaconName}
		}
		slices.SortFunc(labels, func(a, b beaconLabel) int {
			return cmp.Or(cmp.Compare(a.BeaconName, b.BeaconName), cmp.Compare(a.BeaconID.String(), b.BeaconID.String()))
		})
		out = append(out, locationBeacons{LocationID: ids[i], Beacons: labels})
	}
	return out, nil
}
