// Command cassandraimage builds the find-peers Cassandra image without a
// Dockerfile and without pulling anything: a Debian root file system with a
// Java 17 runtime (made by tools/cassandra-image with debootstrap), the pinned
// Cassandra jars (fetched and verified by libs/cassandra/launcher) and the
// shell-less entrypoint of ./entrypoint, as three layers with sorted entries,
// fixed mtimes and numeric owners. It writes a docker-save tarball that
// `podman load` / `docker load` take.
//
//	cassandraimage -rootfs DIR -entrypoint BIN -out FILE [-tag find-peers/cassandra:5.0.9]
//
// Run it through tools/cassandra-image, which makes the root file system,
// builds this tool and the entrypoint with Bazel and loads the result.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/find-peers/find-peers/libs/cassandra/launcher"
	"github.com/find-peers/find-peers/libs/ociimage"
	"github.com/find-peers/find-peers/libs/reprotar"
)

// Paths and ids inside the image.
const (
	javaHome   = "/usr/lib/jvm/java-17-openjdk-amd64"
	libDir     = "/opt/cassandra/lib"
	confDir    = "/etc/cassandra"
	dataDir    = "/var/lib/cassandra"
	entrypoint = "/usr/local/bin/cassandra-entrypoint"
	uid, gid   = 999, 999
)

func main() {
	rootfs := flag.String("rootfs", "", "Debian root file system with openjdk-17-jre-headless (required)")
	entry := flag.String("entrypoint", "", "static entrypoint binary (required; a path relative to the runfiles when run by Bazel)")
	out := flag.String("out", "", "docker-save tarball to write (required)")
	tag := flag.String("tag", "find-peers/cassandra:"+launcher.Version, "image name and tag")
	flag.Parse()
	if *rootfs == "" || *entry == "" || *out == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := build(*rootfs, *entry, *out, *tag); err != nil {
		fmt.Fprintln(os.Stderr, "cassandraimage:", err)
		os.Exit(1)
	}
}

func build(rootfs, entry, out, tag string) error {
	t0 := time.Now()
	ref, err := name.NewTag(tag, name.WeakValidation)
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(rootfs, javaHome, "bin", "java")); err != nil {
		return fmt.Errorf("%s has no Java 17 runtime: %w", rootfs, err)
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	key, err := ociimage.Inputs{Files: []string{self, entry}, Rootfs: rootfs, Tag: tag}.Key()
	if err != nil {
		return err
	}
	if ociimage.UpToDate(out, key) {
		fmt.Printf("cassandraimage: %s is up to date (same builder, entrypoint, root file system and tag)\n", out)
		return nil
	}
	cache, err := launcher.CacheDir()
	if err != nil {
		return err
	}
	lib, err := launcher.Fetch(context.Background(), cache)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(out), ".cassandraimage-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	passwd, err := ociimage.WithAccountLine(filepath.Join(rootfs, "etc/passwd"), fmt.Sprintf("cassandra:x:%d:%d:Cassandra:%s:/usr/sbin/nologin", uid, gid, dataDir))
	if err != nil {
		return err
	}
	group, err := ociimage.WithAccountLine(filepath.Join(rootfs, "etc/group"), fmt.Sprintf("cassandra:x:%d:", gid))
	if err != nil {
		return err
	}
	entryBin, err := os.ReadFile(entry)
	if err != nil {
		return err
	}
	layers := []ociimage.TarLayer{
		{Name: "debian bookworm + openjdk-17-jre-headless", Write: func(tw *reprotar.Writer) error {
			return tw.AddTree(rootfs, "", reprotar.TreeOptions{EmptyDirs: reprotar.RootFSEmptyDirs})
		}},
		{Name: "cassandra " + launcher.Version + " jars", Write: func(tw *reprotar.Writer) error {
			for _, d := range []string{"opt", "opt/cassandra"} {
				if err := tw.Dir(d, 0o755, 0, 0); err != nil {
					return err
				}
			}
			return tw.AddTree(lib, strings.TrimPrefix(libDir, "/"), reprotar.TreeOptions{Plain: true})
		}},
		{Name: "entrypoint and config", Write: func(tw *reprotar.Writer) error {
			steps := []func() error{
				func() error { return tw.Dir("etc", 0o755, 0, 0) },
				func() error { return tw.Dir("etc/cassandra", 0o755, uid, gid) },
				func() error { return tw.File("etc/group", 0o644, group) },
				func() error { return tw.File("etc/passwd", 0o644, passwd) },
				func() error { return tw.Dir("usr", 0o755, 0, 0) },
				func() error { return tw.Dir("usr/local", 0o755, 0, 0) },
				func() error { return tw.Dir("usr/local/bin", 0o755, 0, 0) },
				func() error { return tw.File(strings.TrimPrefix(entrypoint, "/"), 0o755, entryBin) },
				func() error { return tw.Symlink("usr/local/bin/cqlsh", "cassandra-entrypoint") },
				func() error { return tw.Dir("var", 0o755, 0, 0) },
				func() error { return tw.Dir("var/lib", 0o755, 0, 0) },
				func() error { return tw.Dir("var/lib/cassandra", 0o750, uid, gid) },
			}
			for _, s := range steps {
				if err := s(); err != nil {
					return err
				}
			}
			return nil
		}},
	}
	config := v1.Config{
		User:       fmt.Sprintf("%d:%d", uid, gid),
		Entrypoint: []string{entrypoint},
		WorkingDir: dataDir,
		Env: []string{
			"PATH=/usr/local/bin:/usr/bin:/bin:" + javaHome + "/bin",
			"JAVA_HOME=" + javaHome,
			"CASSANDRA_LIB=" + libDir,
			"CASSANDRA_CONF=" + confDir,
			"CASSANDRA_DATA=" + dataDir,
		},
		ExposedPorts: map[string]struct{}{"7000/tcp": {}, "9042/tcp": {}},
		Volumes:      map[string]struct{}{dataDir: {}},
		Healthcheck: &v1.HealthConfig{
			Test:        []string{"CMD", entrypoint, "health"},
			Interval:    5 * time.Second,
			Timeout:     10 * time.Second,
			StartPeriod: 180 * time.Second,
			Retries:     5,
		},
		Labels: map[string]string{
			"org.opencontainers.image.title":   "find-peers Cassandra",
			"org.opencontainers.image.version": launcher.Version,
		},
		StopSignal: "SIGTERM",
	}
	img, err := ociimage.TarImage(tmp, "tools/build/cassandraimage", layers, config)
	if err != nil {
		return err
	}
	// The config digest is the image id podman gives the loaded image:
	// tools/cassandra-image skips `podman load` when podman has it already.
	d, err := ociimage.WriteLoadable(out, ref, img, key)
	if err != nil {
		return err
	}
	fmt.Printf("cassandraimage: wrote %s (%s, %s) in %s\n", out, tag, d, time.Since(t0).Round(100*time.Millisecond))
	return nil
}
