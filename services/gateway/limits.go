package main

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/find-peers/find-peers/libs/httpx"
)

// limitConfig is the per-credential token bucket: Rate requests per second
// with bursts of Burst. Rate 0 turns limiting off.
type limitConfig struct {
	Rate  float64
	Burst int
	// Idle is how long an unused bucket is kept: a client idle that long
	// has a full bucket anyway, so forgetting it changes nothing.
	Idle time.Duration
}

// maxBuckets bounds the limiters' memory even under a flood of new client
// addresses; past it, idle buckets are swept at once, and if that is not
// enough the whole table is dropped (which only ever lets clients through
// sooner, never refuses one wrongly).
const maxBuckets = 100_000

type bucket struct {
	lim  *rate.Limiter
	used time.Time
}

// limiters are the token buckets by credential ("key:<id>", "ip:<addr>").
type limiters struct {
	cfg       limitConfig
	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
	now       func() time.Time
}

func newLimiters(cfg limitConfig) *limiters {
	if cfg.Idle <= 0 {
		cfg.Idle = 10 * time.Minute
	}
	return &limiters{cfg: cfg, buckets: map[string]*bucket{}, now: time.Now}
}

// wait returns how long the caller must wait before its request would be
// allowed; 0 means it is allowed now (and a token was taken). perRate and
// perBurst, when > 0, override the defaults (a key's own limits).
func (l *limiters) wait(id string, perRate float64, perBurst int) time.Duration {
	limit, burst := l.cfg.Rate, l.cfg.Burst
	if perRate > 0 {
		limit = perRate
	}
	if perBurst > 0 {
		burst = perBurst
	}
	if limit <= 0 {
		return 0
	}
	burst = max(burst, 1)
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	b := l.buckets[id]
	if b == nil {
		b = &bucket{lim: rate.NewLimiter(rate.Limit(limit), burst)}
		l.buckets[id] = b
	}
	// A key's limits may change in a reload: follow them.
	if b.lim.Limit() != rate.Limit(limit) || b.lim.Burst() != burst {
		b.lim.SetLimitAt(now, rate.Limit(limit))
		b.lim.SetBurstAt(now, burst)
	}
	b.used = now
	res := b.lim.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now) // a refused request takes no token
		return d
	}
	return 0
}

// sweep drops buckets idle for cfg.Idle, at most once per Idle unless the
// table is full. Call with mu held.
func (l *limiters) sweep(now time.Time) {
	if now.Sub(l.lastSweep) < l.cfg.Idle && len(l.buckets) < maxBuckets {
		return
	}
	l.lastSweep = now
	for id, b := range l.buckets {
		if now.Sub(b.used) >= l.cfg.Idle {
			delete(l.buckets, id)
		}
	}
	if len(l.buckets) >= maxBuckets {
		clear(l.buckets)
	}
}

func (l *limiters) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// limit takes a token from id's bucket; when there is none it answers 429
// with Retry-After in whole seconds, rounded up (RFC 9110 section 10.2.3).
// okOutcome is returned when the request may go on.
func (a *authorizer) limit(w http.ResponseWriter, id string, perRate float64, perBurst int, okOutcome string) (string, error) {
	d := a.limits.wait(id, perRate, perBurst)
	if d == 0 {
		return okOutcome, nil
	}
	w.Header().Set("Retry-After", strconv.FormatInt(retryAfterSeconds(d), 10))
	return "rate_limited", httpx.Errorf(http.StatusTooManyRequests, "rate limit exceeded; retry later")
}

func retryAfterSeconds(d time.Duration) int64 {
	return max(1, int64(math.Ceil(d.Seconds())))
}

// clientIP is the connection's address: the gateway is the published
// entry point, so X-Forwarded-For is the client's to forge and is ignored.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
