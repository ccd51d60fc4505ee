package main

import (
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/find-peers/find-peers/libs/debpkg"
	"github.com/find-peers/find-peers/libs/ociimage"
	"github.com/find-peers/find-peers/libs/reprotar"
)

// prometheusVersion is the upstream version of bookworm's prometheus
// package (2.42.0+ds-5+deb12u1 when pinned); the image is tagged with it and
// the build stops if the root file system has another one.
const prometheusVersion = "2.42.0"

// The configuration and the console (./prometheus); prometheus.yml names the
// services' compose names.
var (
	//go:embed prometheus/prometheus.yml
	prometheusYML []byte
	//go:embed prometheus/find-peers.html
	consoleHTML []byte
	//go:embed prometheus/find-peers.lib
	consoleLib []byte
)

const promData = "/var/lib/prometheus"

func buildPrometheus(rootfs string, checkBin []byte, out string) error {
	tag := "find-peers/prometheus:" + prometheusVersion
	version, err := debpkg.InstalledVersion(filepath.Join(rootfs, "var/lib/dpkg/status"), "prometheus")
	if err != nil {
		return err
	}
	if !strings.HasPrefix(version, prometheusVersion+"+") {
		return fmt.Errorf("%s has prometheus %s, this builder is for %s: update prometheusVersion (and the docs) or make the root again", rootfs, version, prometheusVersion)
	}
	// The package's postinst made the user: its ids are whatever adduser
	// chose, so they are read, not assumed.
	passwd, err := os.ReadFile(filepath.Join(rootfs, "etc/passwd"))
	if err != nil {
		return err
	}
	user, err := ociimage.AccountLine(passwd, "prometheus")
	if err != nil {
		return fmt.Errorf("%s/etc/passwd: %w", rootfs, err)
	}
	uid, err1 := strconv.Atoi(user[2])
	gid, err2 := strconv.Atoi(user[3])
	if err1 != nil || err2 != nil {
		return fmt.Errorf("%s/etc/passwd: bad ids for prometheus: %q", rootfs, strings.Join(user, ":"))
	}
	key, err := inputsKey(checkBin, rootfs, tag, version)
	if err != nil {
		return err
	}
	layers := []ociimage.TarLayer{
		{Name: "debian bookworm + prometheus " + version, Write: func(tw *reprotar.Writer) error {
			return tw.AddTree(rootfs, "", reprotar.TreeOptions{EmptyDirs: reprotar.RootFSEmptyDirs})
		}},
		{Name: "find-peers configuration, console and healthcheck", Write: func(tw *reprotar.Writer) error {
			if err := dirs(tw, "etc", "etc/prometheus", "etc/prometheus/consoles", "etc/prometheus/console_libraries"); err != nil {
				return err
			}
			for _, f := range []struct {
				name string
				data []byte
			}{
				{"etc/prometheus/prometheus.yml", prometheusYML},
				{"etc/prometheus/consoles/find-peers.html", consoleHTML},
				{"etc/prometheus/console_libraries/find-peers.lib", consoleLib},
			} {
				if err := tw.File(f.name, 0o644, f.data); err != nil {
					return err
				}
			}
			if err := dirs(tw, "usr", "usr/local", "usr/local/bin"); err != nil {
				return err
			}
			if err := tw.File(strings.TrimPrefix(httpcheck, "/"), 0o755, checkBin); err != nil {
				return err
			}
			if err := dirs(tw, "var", "var/lib"); err != nil {
				return err
			}
			// The root file system's copies are root's (AddTree), the
			// package made them the user's: the TSDB writes here.
			if err := tw.Dir(strings.TrimPrefix(promData, "/"), 0o750, uid, gid); err != nil {
				return err
			}
			return tw.Dir(strings.TrimPrefix(promData, "/")+"/metrics2", 0o750, uid, gid)
		}},
	}
	return writeImage(out, tag, key, layers, v1.Config{
		User: fmt.Sprintf("%d:%d", uid, gid),
		Entrypoint: []string{"/usr/bin/prometheus",
			"--config.file=/etc/prometheus/prometheus.yml",
			"--storage.tsdb.path=" + promData + "/metrics2",
			// A development stack's metrics: a day is plenty.
			"--storage.tsdb.retention.time=1d",
			"--web.listen-address=:9090",
			"--web.console.templates=/etc/prometheus/consoles",
			"--web.console.libraries=/etc/prometheus/console_libraries",
		},
		WorkingDir:   promData,
		Env:          []string{"PATH=/usr/local/bin:/usr/bin:/bin"},
		ExposedPorts: map[string]struct{}{"9090/tcp": {}},
		Volumes:      map[string]struct{}{promData: {}},
		Healthcheck: &v1.HealthConfig{
			Test:        []string{"CMD", httpcheck, "http://127.0.0.1:9090/-/ready"},
			Interval:    5 * time.Second,
			Timeout:     5 * time.Second,
			StartPeriod: 60 * time.Second,
			Retries:     5,
		},
		Labels: map[string]string{
			"org.opencontainers.image.title":   "find-peers Prometheus",
			"org.opencontainers.image.version": version,
		},
		StopSignal: "SIGTERM",
	})
}
