package launcher

import (
	"fmt"
	"path/filepath"
	"strconv"
)

// jpmsOptions open the JDK internals that Cassandra 5.0 reaches into on Java
// 11+ (off-heap memory, RMI/JMX, the instrumentation agent, Netty). Without
// them it fails at startup with IllegalAccessError. The list follows the
// JPMS section of Cassandra's conf/jvm17-server.options.
var jpmsOptions = []string{
	"-Djdk.attach.allowAttachSelf=true",
	"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
	"--add-exports", "java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
	"--add-exports", "java.rmi/sun.rmi.registry=ALL-UNNAMED",
	"--add-exports", "java.rmi/sun.rmi.server=ALL-UNNAMED",
	"--add-exports", "java.sql/java.sql=ALL-UNNAMED",
	"--add-exports", "java.base/java.lang.ref=ALL-UNNAMED",
	"--add-exports", "jdk.unsupported/sun.misc=ALL-UNNAMED",
	"--add-exports", "jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
	"--add-exports", "jdk.attach/sun.tools.attach=ALL-UNNAMED",
	"--add-opens", "java.base/java.lang.module=ALL-UNNAMED",
	"--add-opens", "java.base/jdk.internal.loader=ALL-UNNAMED",
	"--add-opens", "java.base/jdk.internal.ref=ALL-UNNAMED",
	"--add-opens", "java.base/jdk.internal.reflect=ALL-UNNAMED",
	"--add-opens", "java.base/jdk.internal.math=ALL-UNNAMED",
	"--add-opens", "java.base/jdk.internal.module=ALL-UNNAMED",
	"--add-opens", "java.base/jdk.internal.util.jar=ALL-UNNAMED",
	"--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
	"--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
	"--add-opens", "java.base/java.io=ALL-UNNAMED",
	"--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED",
	"--add-opens", "jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
	"--add-opens", "java.base/java.lang=ALL-UNNAMED",
	"--add-opens", "java.base/java.util=ALL-UNNAMED",
}

const mainClass = "org.apache.cassandra.service.CassandraDaemon"

type jvmParams struct {
	Lib     string
	Heap    string
	JMXPort int
	Seed    bool // the first node: nobody to learn the ring from
	L       nodeLayout
	// TmpDir, if set, takes the native libraries that Cassandra's
	// compressors unpack on every start, which a killed JVM leaves behind.
	TmpDir string
}

func jvmArgs(p jvmParams) []string {
	args := []string{
		"-Xms" + p.Heap, "-Xmx" + p.Heap,
		// Cassandra's own defaults: assertions on (except the Chronicle
		// library, which asserts itself out of memory), G1, IPv4 sockets.
		"-ea", "-da:net.openhft...",
		"-XX:+UseG1GC", "-XX:MaxGCPauseMillis=300", "-XX:+ParallelRefProcEnabled",
		"-XX:+PerfDisableSharedMem",
		// A node that ran out of memory must not go on writing half-done data.
		"-XX:+ExitOnOutOfMemoryError",
		"-Djava.net.preferIPv4Stack=true",
		"-Dio.netty.tryReflectionSetAccessible=true",
		"-Dio.netty.allocator.useCacheForAllThreads=true",
		"-Dio.netty.allocator.maxOrder=11",
		// jamm measures object sizes for memtable accounting.
		"-javaagent:" + filepath.Join(p.Lib, "jamm-0.4.0.jar"),
	}
	args = append(args, jpmsOptions...)
	args = append(args,
		"-Dcassandra.config=file://"+filepath.Join(p.L.Conf, "cassandra.yaml"),
		"-Dlogback.configurationFile=file://"+filepath.Join(p.L.Conf, "logback.xml"),
		"-Dcassandra.logdir="+p.L.Logs,
		"-Dcassandra.storagedir="+p.L.Dir,
		// Keep stdout/stderr open so JVM-level failures reach stdout.log.
		"-Dcassandra-foreground=yes",
		// JMX only on loopback, one port per node, so nodetool can attach.
		"-Dcassandra.jmx.local.port="+strconv.Itoa(p.JMXPort),
		// A fresh test cluster has no gossip state worth waiting for.
		"-Dcassandra.skip_wait_for_gossip_to_settle=0",
		"-Dcassandra.superuser_setup_delay_ms=0",
	)
	// RING_DELAY (30 s by default) is how long a node listens to gossip
	// before it picks tokens; it was most of a single node's startup time.
	// The seed of a fresh cluster has nobody to hear from; later nodes join
	// one at a time over loopback, where a few gossip rounds (1 s each) are
	// enough to learn the ring.
	ringDelay := 5000
	if p.Seed {
		ringDelay = 1000
	}
	args = append(args, fmt.Sprintf("-Dcassandra.ring_delay_ms=%d", ringDelay))
	if p.TmpDir != "" {
		args = append(args, "-Djava.io.tmpdir="+p.TmpDir)
	}
	args = append(args, "-cp", filepath.Join(p.Lib, "*"), mainClass)
	return args
}
