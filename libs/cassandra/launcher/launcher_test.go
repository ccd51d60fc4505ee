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
	jars, err := ParseLock(lockFile)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, j := range jars {
		names[j.FileName()] = true
	}
	if !names["cassandra-all-"+Version+".jar"] {
		t.Errorf("jars.lock has no cassandra-all-%s.jar: run `go run ./tools/cassandra lock`", Version)
	}
	if !names["jamm-0.4.0.jar"] {
		t.Error("jars.lock has no jamm-0.4.0.jar, which jvmArgs loads as an agent")
	}
	if got := FormatLock(jars); got != lockFile {
		t.Errorf("jars.lock is not in FormatLock's form (sorted, same header):\n%s", got)
	}
}

func TestJarNames(t *testing.T) {
	for coord, want := range map[string][2]string{
		"org.apache.cassandra:cassandra-all:5.0.9": {"cassandra-all-5.0.9.jar", "org/apache/cassandra/cassandra-all/5.0.9/cassandra-all-5.0.9.jar"},
		"com.github.jnr:jffi:1.3.11:native":        {"jffi-1.3.11-native.jar", "com/github/jnr/jffi/1.3.11/jffi-1.3.11-native.jar"},
	} {
		j := Jar{Coord: coord}
		if j.FileName() != want[0] || j.RepoPath() != want[1] {
			t.Errorf("%s: %s %s, want %s %s", coord, j.FileName(), j.RepoPath(), want[0], want[1])
		}
	}
}

func TestParseLockRejectsGarbage(t *testing.T) {
	a, b := strings.Repeat("a", 64), strings.Repeat("b", 64)
	for _, bad := range []string{
		"abc  g:x:1",
		strings.Repeat("g", 64) + "  g:x:1",
		a + " g:x:1",
		a + "  x.jar",
		a + "  g:x",
		a + "  g:../x:1",
		a + "  g:x:1:c:d",
		a + "  g::1",
		a + "  g:x:1\n" + b + "  h:x:1",
	} {
		if _, err := ParseLock(bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
	text := FormatLock([]Jar{{"g:b:1", b}, {"g:a:1:c", a}})
	jars, err := ParseLock(text)
	if err != nil || len(jars) != 2 || jars[0].Coord != "g:a:1:c" || jars[0].SHA256 != a {
		t.Errorf("FormatLock/ParseLock: %v %v\n%s", jars, err, text)
	}
}

func TestParseDependencyList(t *testing.T) {
	out := `
The following files have been resolved:
   org.apache.cassandra:cassandra-all:jar:5.0.9:compile -- module cassandra.all (auto)
   com.github.jnr:jffi:jar:native:1.3.11:compile -- module jffi (auto)
   io.netty:netty-transport-native-epoll:jar:linux-x86_64:4.1.130.Final:runtime
`
	got, err := parseDependencyList(out)
	want := []string{"org.apache.cassandra:cassandra-all:5.0.9", "com.github.jnr:jffi:1.3.11:native",
		"io.netty:netty-transport-native-epoll:4.1.130.Final:linux-x86_64"}
	if err != nil || strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("got %v, %v; want %v", got, err, want)
	}
	if _, err := parseDependencyList("   g:a:pom:1:compile\n"); err == nil {
		t.Error("accepted a pom on the class path")
	}
	if _, err := parseDependencyList("The following files have been resolved:\n   none\n"); err == nil {
		t.Error("accepted an empty list")
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
	args := strings.Join(jvmArgs(jvmParams{Lib: "/lib", Heap: "256M", JMXPort: 7200, L: l, TmpDir: "/n/tmp"}), " ")
	for _, want := range []string{
		"-Xmx256M", "--add-opens java.base/java.lang=ALL-UNNAMED", "-Dcassandra.jmx.local.port=7200",
		"-Djava.io.tmpdir=/n/tmp",
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

func TestJavaFindsFileSystem(t *testing.T) {
	if _, err := os.Stat("/proc/self/mounts"); err != nil {
		t.Skip("no /proc")
	}
	// /proc is a mount point of its own everywhere, chroots included.
	if !JavaFindsFileSystem("/proc/self") {
		t.Error("JavaFindsFileSystem(/proc/self) = false")
	}
	if got := mountsUnescape.Replace(`/a\040b\134c`); got != `/a b\c` {
		t.Errorf("unescape: %q", got)
	}
}
