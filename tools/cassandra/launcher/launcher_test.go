package launcher

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPinsAgree(t *testing.T) {
	if !strings.Contains(string(pom), "<cassandra.version>"+Version+"</cassandra.version>") {
		t.Errorf("pom.xml does not pin cassandra.version %s", Version)
	}
	pins, err := ParseLock(lockFile)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := pins["cassandra-all-"+Version+".jar"]; !ok {
		t.Errorf("jars.sha256 has no cassandra-all-%s.jar: run `go run ./tools/cassandra lock`", Version)
	}
	if _, ok := pins["jamm-0.4.0.jar"]; !ok {
		t.Error("jars.sha256 has no jamm-0.4.0.jar, which jvmArgs loads as an agent")
	}
}

func TestParseLockRejectsGarbage(t *testing.T) {
	for _, bad := range []string{
		"abc  x.jar",
		strings.Repeat("g", 64) + "  x.jar",
		strings.Repeat("a", 64) + " x.jar",
		strings.Repeat("a", 64) + "  ../x.jar",
		strings.Repeat("a", 64) + "  x.jar\n" + strings.Repeat("b", 64) + "  x.jar",
	} {
		if _, err := ParseLock(bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
	text := FormatLock(map[string]string{"b.jar": strings.Repeat("b", 64), "a.jar": strings.Repeat("a", 64)})
	pins, err := ParseLock(text)
	if err != nil || len(pins) != 2 || strings.Index(text, "a.jar") > strings.Index(text, "b.jar") {
		t.Errorf("FormatLock/ParseLock: %v %v\n%s", pins, err, text)
	}
}

// The fetched jars themselves are verified by every `fetch` (tools/test runs
// one before the tests); this checks that verification catches a changed and
// a missing jar without needing the download.
func TestVerifyJarsDetectsTampering(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "cassandra-all-"+Version+".jar"), []byte("not the jar"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := verifyJars(dir)
	if err == nil || !strings.Contains(err.Error(), "sha256") || !strings.Contains(err.Error(), "missing") {
		t.Errorf("want mismatch and missing errors, got %v", err)
	}
}

func TestParseJavaMajor(t *testing.T) {
	for out, want := range map[string]int{
		`openjdk version "17.0.15" 2025-04-15`:  17,
		`openjdk version "11.0.2" 2019-01-15`:   11,
		`java version "1.8.0_392"`:              8,
		`openjdk version "25" 2025-09-16`:       25,
		`openjdk version "21-ea" 2023-09-19 LT`: 21,
	} {
		got, err := parseJavaMajor([]byte(out))
		if err != nil || got != want {
			t.Errorf("%s -> %d, %v; want %d", out, got, err, want)
		}
	}
	if _, err := parseJavaMajor([]byte("command not found")); err == nil {
		t.Error("no error for garbage")
	}
}

func TestConfigFiles(t *testing.T) {
	dir := t.TempDir()
	l := layoutFor(dir, 2)
	p := filepath.Join(dir, "cassandra.yaml")
	if err := writeYAML(p, yamlParams{ClusterName: "c", Host: "127.0.0.2", Seed: "127.0.0.1", CQLPort: 9042, StoragePort: 7000, ReplicaCount: 3, L: l}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	for _, want := range []string{
		"listen_address: 127.0.0.2", "rpc_address: 127.0.0.2", `seeds: "127.0.0.1:7000"`,
		"auto_snapshot: false", "num_tokens: 16", "allocate_tokens_for_local_replication_factor: 3",
		"commitlog_directory: " + l.CommitLog, "hints_directory: " + l.Hints,
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("cassandra.yaml lacks %q", want)
		}
	}
	args := strings.Join(jvmArgs(jvmParams{Lib: "/lib", Heap: "256M", JMXPort: 7200, L: l}), " ")
	for _, want := range []string{
		"-Xmx256M", "--add-opens java.base/java.lang=ALL-UNNAMED", "-Dcassandra.jmx.local.port=7200",
		"-cp /lib/* " + mainClass, "-Dcassandra.config=file://" + l.Conf + "/cassandra.yaml",
	} {
		if !strings.Contains(args, want) {
			t.Errorf("JVM args lack %q", want)
		}
	}
	if strings.Contains(args, "cassandra.jmx.remote.port") {
		t.Error("remote JMX must stay off")
	}
}

func TestCheckFreeReportsTakenPort(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	err = checkFree("127.0.0.1", port, "node1 CQL")
	if err == nil || !strings.Contains(err.Error(), "already in use") {
		t.Errorf("taken port: %v", err)
	}
	l.Close()
	if err := checkFree("127.0.0.1", port, "node1 CQL"); err != nil {
		t.Errorf("freed port: %v", err)
	}
}
