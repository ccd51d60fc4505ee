package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/find-peers/find-peers/libs/apikey"
	"github.com/find-peers/find-peers/libs/config"
)

// accessSettings are the access-control flags as given; keysFile is opened
// by serve, not by flag parsing, so `gateway health` needs no key file.
type accessSettings struct {
	keysFile string
	poll     time.Duration
	cfg      accessConfig
}

// accessFlags registers -api-keys-file, -api-keys-poll, -read-access,
// -write-access, -rate-limit and -rate-burst.
func accessFlags(fs *config.Set) func() accessSettings {
	file := fs.String("api-keys-file", "", "JSON file of API keys (tools/apikey manages it; re-read when it changes or on SIGHUP); empty: no keys, every write is refused with 401")
	poll := fs.Duration("api-keys-poll", apikey.DefaultPoll, "how often the API key file is checked for changes")
	read := fs.String("read-access", "open", `GET API requests: "open" (no key needed) or "key" (a read or write key)`)
	write := fs.String("write-access", "key", `other API requests: "key" (a write key) or "open" (anyone: only behind a proxy that authenticates, or to measure what keys cost)`)
	limit := fs.String("rate-limit", "50", "requests per second allowed per API key (anonymous reads: per client address); 0 turns rate limiting off")
	burst := fs.Int("rate-burst", 100, "requests allowed at once above -rate-limit")
	var rps float64
	fs.Validate("read-access", func() error { return openOrKey(*read) })
	fs.Validate("write-access", func() error { return openOrKey(*write) })
	fs.Validate("rate-limit", func() (err error) {
		rps, err = strconv.ParseFloat(*limit, 64)
		if err != nil || rps < 0 || rps != rps || rps > 1e9 {
			return fmt.Errorf("want a number of requests per second >= 0, got %q", *limit)
		}
		return nil
	})
	fs.Validate("rate-burst", func() error { return config.Positive(*burst) })
	fs.Validate("api-keys-poll", func() error { return config.Positive(*poll) })
	return func() accessSettings {
		return accessSettings{keysFile: *file, poll: *poll, cfg: accessConfig{
			ReadOpen:  *read == "open",
			WriteOpen: *write == "open",
			Limits:    limitConfig{Rate: rps, Burst: *burst},
		}}
	}
}

func openOrKey(v string) error {
	if v != "open" && v != "key" {
		return errors.New(`want "open" or "key"`)
	}
	return nil
}

// openKeys loads the key file and keeps it current until ctx ends. Without
// a file it warns once: every write will be refused.
func (a accessSettings) openKeys(ctx context.Context, logger *slog.Logger) (accessConfig, error) {
	cfg := a.cfg
	if cfg.WriteOpen {
		logger.Warn("writes are open (-write-access open): anyone who reaches the gateway can write")
	}
	if a.keysFile == "" {
		logger.Warn("no API key file (-api-keys-file): every write is refused with 401 until one is configured", "read_access", readAccessName(cfg.ReadOpen))
		return cfg, nil
	}
	store, err := apikey.NewStore(a.keysFile, logger)
	if err != nil {
		return cfg, fmt.Errorf("API key file %s: %w", a.keysFile, err)
	}
	store.Start(ctx, a.poll)
	cfg.Keys = store.Keys
	logger.Info("API keys loaded", "file", a.keysFile, "keys", store.Keys().Len(), "read_access", readAccessName(cfg.ReadOpen))
	return cfg, nil
}

func readAccessName(open bool) string {
	if open {
		return "open"
	}
	return "key"
}
