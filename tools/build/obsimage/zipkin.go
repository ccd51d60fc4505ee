package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/find-peers/find-peers/libs/cassandra/launcher"
	"github.com/find-peers/find-peers/libs/ociimage"
	"github.com/find-peers/find-peers/libs/pinned"
	"github.com/find-peers/find-peers/libs/reprotar"
)

// Zipkin's server is one "exec" jar with its UI (Lens) inside: the jar's
// sha256 was taken when it was pinned, after checking the download against
// the repository's own .sha1 (5800cc1f3d2eb8f38d2d6905d59f9a0414b6d7dd).
const (
	zipkinVersion = "3.6.1"
	zipkinJarPath = "io/zipkin/zipkin-server/" + zipkinVersion + "/zipkin-server-" + zipkinVersion + "-exec.jar"
	zipkinSHA256  = "d8326e0ed4f43855dba81228f688554706e52578a7c782d9a90b73f8680654a1"
	zipkinSize    = 135311706
)

// Paths and ids inside the Zipkin image.
const (
	javaHome   = "/usr/lib/jvm/java-17-openjdk-amd64"
	zipkinJar  = "/opt/zipkin/zipkin-server.jar"
	httpcheck  = "/usr/local/bin/httpcheck"
	zipkinUID  = 998
	zipkinHome = "/opt/zipkin"
)

func buildZipkin(rootfs, cache string, checkBin []byte, out string) error {
	tag := "find-peers/zipkin:" + zipkinVersion
	if _, err := os.Stat(filepath.Join(rootfs, javaHome, "bin", "java")); err != nil {
		return fmt.Errorf("%s has no Java 17 runtime: %w", rootfs, err)
	}
	key, err := inputsKey(checkBin, rootfs, tag)
	if err != nil {
		return err
	}
	jar, err := fetchZipkin(cache)
	if err != nil {
		return err
	}
	passwd, err := ociimage.WithAccountLine(filepath.Join(rootfs, "etc/passwd"), fmt.Sprintf("zipkin:x:%d:%d:Zipkin:%s:/usr/sbin/nologin", zipkinUID, zipkinUID, zipkinHome))
	if err != nil {
		return err
	}
	group, err := ociimage.WithAccountLine(filepath.Join(rootfs, "etc/group"), fmt.Sprintf("zipkin:x:%d:", zipkinUID))
	if err != nil {
		return err
	}
	layers := []ociimage.TarLayer{
		// The very layer tools/build/cassandraimage writes first (same
		// tree, same options): podman stores it once for both images.
		{Name: "debian bookworm + openjdk-17-jre-headless", Write: func(tw *reprotar.Writer) error {
			return tw.AddTree(rootfs, "", reprotar.TreeOptions{EmptyDirs: reprotar.RootFSEmptyDirs})
		}},
		{Name: "zipkin-server " + zipkinVersion + " exec jar", Write: func(tw *reprotar.Writer) error {
			if err := dirs(tw, "opt", "opt/zipkin"); err != nil {
				return err
			}
			b, err := os.ReadFile(jar)
			if err != nil {
				return err
			}
			return tw.File(strings.TrimPrefix(zipkinJar, "/"), 0o644, b)
		}},
		{Name: "healthcheck and user", Write: func(tw *reprotar.Writer) error {
			if err := dirs(tw, "etc"); err != nil {
				return err
			}
			if err := tw.File("etc/group", 0o644, group); err != nil {
				return err
			}
			if err := tw.File("etc/passwd", 0o644, passwd); err != nil {
				return err
			}
			if err := dirs(tw, "usr", "usr/local", "usr/local/bin"); err != nil {
				return err
			}
			return tw.File(strings.TrimPrefix(httpcheck, "/"), 0o755, checkBin)
		}},
	}
	return writeImage(out, tag, key, layers, v1.Config{
		User: fmt.Sprintf("%d:%d", zipkinUID, zipkinUID),
		// No shell: java itself. The heap follows the container's memory
		// limit; no hsperfdata files on the read-only root.
		Entrypoint: []string{javaHome + "/bin/java", "-XX:MaxRAMPercentage=60", "-XX:+ExitOnOutOfMemoryError",
			"-XX:+PerfDisableSharedMem", "-Djava.io.tmpdir=/tmp", "-jar", zipkinJar},
		WorkingDir: zipkinHome,
		Env: []string{
			"PATH=/usr/local/bin:/usr/bin:/bin:" + javaHome + "/bin",
			"JAVA_HOME=" + javaHome,
			// In-memory storage (the default), bounded: a development
			// stack's traces, not an archive.
			"STORAGE_TYPE=mem",
			"MEM_MAX_SPANS=200000",
		},
		ExposedPorts: map[string]struct{}{"9411/tcp": {}},
		Healthcheck: &v1.HealthConfig{
			Test:        []string{"CMD", httpcheck, "http://127.0.0.1:9411/health"},
			Interval:    5 * time.Second,
			Timeout:     5 * time.Second,
			StartPeriod: 120 * time.Second,
			Retries:     5,
		},
		Labels: map[string]string{
			"org.opencontainers.image.title":   "find-peers Zipkin",
			"org.opencontainers.image.version": zipkinVersion,
		},
		StopSignal: "SIGTERM",
	})
}

// fetchZipkin returns the path of the verified jar in cache, downloading it
// from the Maven repository this machine's Maven uses for Maven Central
// (launcher.MavenRepository: no repository address lives in the project).
func fetchZipkin(cache string) (string, error) {
	p := filepath.Join(cache, filepath.Base(zipkinJarPath))
	if sum, err := pinned.FileSHA256(p); err == nil && sum == zipkinSHA256 {
		return p, nil
	}
	repo, err := launcher.MavenRepository()
	if err != nil {
		return "", fmt.Errorf("the Maven repository to fetch Zipkin from: %w", err)
	}
	fmt.Printf("obsimage: fetching zipkin-server %s exec jar (%d MB)…\n", zipkinVersion, zipkinSize>>20)
	c := &http.Client{Timeout: 15 * time.Minute}
	if err := pinned.Fetch(c, strings.TrimSuffix(repo, "/")+"/"+zipkinJarPath, p, zipkinSHA256, zipkinSize); err != nil {
		return "", fmt.Errorf("fetch %s: %w", filepath.Base(zipkinJarPath), err)
	}
	return p, nil
}
