// Command aggregator is find-peers' front controller: for a location and a
// time it fans out to beacon-service and tracking-service and merges their
// answers, and it streams new sightings at a location as server-sent events.
//
//	aggregator [serve] [flags]  serve HTTP until SIGTERM/SIGINT
//	aggregator health [flags]   GET /healthz on the listen address; exit 0 or 1
//
// Every flag falls back to an AGGREGATOR_* environment variable (see -h).
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/find-peers/find-peers/libs/balance"
	"github.com/find-peers/find-peers/libs/config"
	"github.com/find-peers/find-peers/libs/httpx"
	"github.com/find-peers/find-peers/libs/service"
)

// settings is the aggregator's configuration (flags with env fallbacks).
type settings struct {
	service.Settings
	beaconURL   *url.URL
	trackingURL *url.URL
	eventsURL   *url.URL // tracking's event streams, on every replica
	callTimeout time.Duration
	dialTimeout time.Duration // of every connect to beacon and tracking
	// resolveEvery is how long the addresses behind beacon's and
	// tracking's names are used before they are looked up again.
	resolveEvery time.Duration
	opts         options
}

var program = service.Program[settings]{
	Name:      "aggregator",
	EnvPrefix: "AGGREGATOR",
	Commands:  []string{"serve", "health"},
	Defaults: service.Defaults{
		Addr:             "127.0.0.1:8083",
		ReadyChecks:      "upstream checks",
		WriteTimeoutNote: "event streams are exempt",
		// A request is a beacon call then a tracking fan-out, each bounded
		// by -call-timeout; this bounds the two together.
		RequestTimeout: service.DefaultRequestTimeout,
	},
	Flags: aggregatorFlags,
	Run:   serve,
}

// aggregatorFlags registers the aggregator's own flags.
func aggregatorFlags(fs *config.Set) func(service.Settings) settings {
	beacon := fs.String("beacon-url", "http://127.0.0.1:8081", "base URL of beacon-service")
	tracking := fs.String("tracking-url", "http://127.0.0.1:8082", "base URL of tracking-service")
	events := fs.String("tracking-events-url", "", "base URL of tracking's event streams; its host name is resolved to every tracking replica, each followed (default: -tracking-url)")
	followEvery := fs.Duration("tracking-resolve-interval", 5*time.Second, "how often -tracking-events-url's host is resolved again to find tracking replicas that appeared or left")
	resolveEvery := fs.Duration("resolve-interval", balance.DefaultRefresh, "how often the hosts of -beacon-url and -tracking-url are resolved again; each call goes to the next of their addresses (round robin)")
	callTimeout := fs.Duration("call-timeout", 5*time.Second, "timeout of each upstream JSON call")
	dialTimeout := fs.Duration("dial-timeout", httpx.DefaultDialTimeout, "connect timeout to beacon and tracking; an address that does not answer (a replica gone) is then passed over for the next, within the call's -call-timeout")
	concurrency := fs.Int("fanout-concurrency", 32, "tracking-service calls in flight per request")
	heartbeat := fs.Duration("sse-heartbeat", 15*time.Second, "idle interval between heartbeat comments on live streams")
	streamWrite := fs.Duration("sse-write-timeout", 10*time.Second, "bound of each write to a live stream's client (a client that stops reading is cut off)")
	backoffMin := fs.Duration("reconnect-min", 250*time.Millisecond, "first delay before reconnecting to tracking's event stream")
	backoffMax := fs.Duration("reconnect-max", 10*time.Second, "cap of the doubling reconnect delay")
	streamIdle := fs.Duration("stream-idle-timeout", 45*time.Second, "reconnect to a tracking event stream silent this long (tracking's heartbeats come every 15 s)")

	var beaconURL, trackingURL, eventsURL *url.URL
	fs.Validate("beacon-url", func() (err error) { beaconURL, err = config.BaseURL(*beacon); return err })
	fs.Validate("tracking-url", func() (err error) { trackingURL, err = config.BaseURL(*tracking); return err })
	fs.Validate("tracking-events-url", func() (err error) {
		if *events == "" {
			return nil // -tracking-url's, once it is known
		}
		eventsURL, err = config.BaseURL(*events)
		return err
	})
	for name, d := range map[string]*time.Duration{
		"call-timeout": callTimeout, "dial-timeout": dialTimeout, "sse-heartbeat": heartbeat, "sse-write-timeout": streamWrite,
		"reconnect-min": backoffMin, "reconnect-max": backoffMax, "stream-idle-timeout": streamIdle, "tracking-resolve-interval": followEvery,
		"resolve-interval": resolveEvery,
	} {
		fs.Validate(name, func() error { return config.Positive(*d) })
	}
	fs.Validate("fanout-concurrency", func() error { return config.Positive(*concurrency) })
	fs.Validate("dial-timeout", func() error {
		// A dial that outlasts the call can never be retried elsewhere.
		if *dialTimeout >= *callTimeout {
			return fmt.Errorf("%s is not below call-timeout %s: a connect that fails must leave time to try the next address", *dialTimeout, *callTimeout)
		}
		return nil
	})
	fs.Validate("reconnect-max", func() error {
		if *backoffMax < *backoffMin {
			return fmt.Errorf("%s is below reconnect-min %s", *backoffMax, *backoffMin)
		}
		return nil
	})
	return func(common service.Settings) settings {
		if eventsURL == nil {
			eventsURL = trackingURL
		}
		return settings{
			Settings:     common,
			beaconURL:    beaconURL,
			trackingURL:  trackingURL,
			eventsURL:    eventsURL,
			callTimeout:  *callTimeout,
			dialTimeout:  *dialTimeout,
			resolveEvery: *resolveEvery,
			opts: options{
				Concurrency:    *concurrency,
				RequestTimeout: common.RequestTimeout,
				Live: liveConfig{
					Heartbeat: *heartbeat, WriteTimeout: *streamWrite, BackoffMin: *backoffMin, BackoffMax: *backoffMax,
					StreamIdle:      *streamIdle,
					ResolveInterval: *followEvery,
				},
			},
		}
	}
}

// serve serves the aggregator until ctx ends.
func serve(ctx context.Context, _ string, s settings, logger *slog.Logger) int {
	up := newUpstreams(s)
	logger.Info("aggregator starting", "beacon_url", s.beaconURL.String(), "tracking_url", s.trackingURL.String(),
		"tracking_events_url", s.eventsURL.String())
	return service.Serve(ctx, "aggregator", s.Settings, routes(up, s.opts, s.Ops(), logger), logger)
}

// newUpstreams wires the upstream clients of s.
func newUpstreams(s settings) *Upstreams {
	// One connection pool. No client-wide timeout: JSON calls get
	// CallTimeout each, and live streams last as long as their subscriber.
	pool := httpx.NewUpstreamTransport(s.dialTimeout)
	return &Upstreams{
		Beacon:   s.beaconURL,
		Tracking: s.trackingURL,
		// Each call goes to the next replica behind the name (in
		// Kubernetes a headless Service), not to the pod a kept-alive
		// connection happens to be on. Each attempt is a client span of
		// the request's trace (the live streams below are not: they
		// outlive any request).
		HTTP: &http.Client{Transport: &httpx.Transport{Base: &balance.Transport{Base: httpx.Traced(pool), Refresh: s.resolveEvery}}},
		// A live stream's followers each stay on the replica they dial.
		Streams:        &http.Client{Transport: &httpx.Transport{Base: pool}},
		CallTimeout:    s.callTimeout,
		TrackingEvents: s.eventsURL,
		// Every live stream re-resolves each interval; sharing answers for
		// half of it keeps that one DNS lookup per half interval, and a
		// new replica is followed within 1.5 intervals.
		ResolveTracking: balance.Cached(balance.DNS(net.DefaultResolver), s.opts.Live.ResolveInterval/2),
	}
}

func main() {
	os.Exit(run(os.Args[1:], os.LookupEnv, os.Stderr))
}

// run is main without the process exit: it returns the exit code (0 ok,
// 1 failure, 2 bad usage).
func run(args []string, lookup func(string) (string, bool), stderr io.Writer) int {
	return program.Main(args, lookup, stderr)
}
