// Command entrypoint starts Apache Cassandra inside the find-peers Cassandra
// image (built by tools/build/cassandraimage); the image has no shell, so this
// static binary does what docker-entrypoint.sh does in other images.
//
//	cassandra-entrypoint [serve]   write cassandra.yaml from the environment and exec java
//	cassandra-entrypoint health    exit 0 when this node answers a CQL query, else 1
//	cassandra-entrypoint bootstrap [flags] ROLE=KEYSPACE...
//	                               replace the default superuser and give each
//	                               service its role (bootstrap.go; a one-shot job)
//	cqlsh [HOST [PORT]] [-e QUERY] (the same binary, linked as cqlsh) run one
//	                               query and print the rows: enough for the
//	                               compose healthcheck, which then works with
//	                               this image and the official one alike
//
// Environment (names follow the official cassandra image where it has them):
//
//	CASSANDRA_LISTEN_ADDRESS  listen/rpc address (default: the container's first non-loopback IPv4)
//	CASSANDRA_SEEDS           seed host(s), comma-separated; the first is used (default: this node)
//	CASSANDRA_CLUSTER_NAME    cluster_name (default find-peers)
//	CASSANDRA_TOKEN_RF        replication factor the token allocator plans for (default 1; 3 for the cluster)
//	MAX_HEAP_SIZE             JVM heap, e.g. 512M (default 512M)
//	CASSANDRA_LOG_LEVEL       root log level (default INFO)
//	CASSANDRA_LIB             jar directory (default /opt/cassandra/lib)
//	CASSANDRA_DATA            state directory, a volume (default /var/lib/cassandra)
//	CASSANDRA_CONF            config directory (default /etc/cassandra)
//	CASSANDRA_TLS_KEYSTORE_FILE  PEM key + certificate of the node: set, the node is
//	                          secure (client TLS required, logins, permissions;
//	                          launcher.ContainerNode.Keystore)
//
// health, cqlsh and bootstrap log in with the client settings of
// libs/cassandra (CASSANDRA_USERNAME, CASSANDRA_PASSWORD_FILE,
// CASSANDRA_TLS_CA, CASSANDRA_TLS_SERVER_NAME, ...).
package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/find-peers/find-peers/libs/cassandra/launcher"
)

func main() {
	if filepath.Base(os.Args[0]) == "cqlsh" {
		os.Exit(cqlsh(os.Args[1:]))
	}
	cmd := "serve"
	if len(os.Args) > 1 {
		cmd = os.Args[1]
	}
	switch cmd {
	case "serve":
		err := serve()
		fmt.Fprintln(os.Stderr, "cassandra-entrypoint:", err)
		os.Exit(1)
	case "health":
		os.Exit(health())
	case "bootstrap":
		os.Exit(bootstrap(os.Args[2:]))
	default:
		fmt.Fprintf(os.Stderr, "cassandra-entrypoint: unknown command %q (want serve, health or bootstrap)\n", cmd)
		os.Exit(2)
	}
}

func env(name, def string) string {
	if v := strings.TrimSpace(os.Getenv(name)); v != "" {
		return v
	}
	return def
}

// ownAddress is CASSANDRA_LISTEN_ADDRESS or the first non-loopback IPv4 of
// the container's interfaces (sorted by name, so eth0 wins).
func ownAddress() (string, error) {
	if v := env("CASSANDRA_LISTEN_ADDRESS", ""); v != "" && v != "auto" {
		return v, nil
	}
	ifaces, err := net.Interfaces()
	if err != nil {
		return "", err
	}
	sort.Slice(ifaces, func(i, j int) bool { return ifaces[i].Name < ifaces[j].Name })
	for _, ifc := range ifaces {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, err := ifc.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok && ipn.IP.To4() != nil && !ipn.IP.IsLinkLocalUnicast() {
				return ipn.IP.String(), nil
			}
		}
	}
	return "", errors.New("no non-loopback IPv4 address: set CASSANDRA_LISTEN_ADDRESS")
}

// resolveSeed turns the first CASSANDRA_SEEDS entry into an IP address. The
// seed is another container that compose started first; its name may take a
// moment to appear in the network's DNS.
func resolveSeed(seeds, self string) (string, error) {
	first := strings.TrimSpace(strings.Split(seeds, ",")[0])
	if first == "" {
		return self, nil
	}
	if h, _, err := net.SplitHostPort(first); err == nil {
		first = h
	}
	if ip := net.ParseIP(first); ip != nil {
		return ip.String(), nil
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		addrs, err := net.LookupHost(first)
		if err == nil {
			for _, a := range addrs {
				if ip := net.ParseIP(a); ip != nil && ip.To4() != nil {
					return ip.String(), nil
				}
			}
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("resolve seed %q: %v", first, err)
		}
		time.Sleep(time.Second)
	}
}

const logback = `<configuration scan="false">
  <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%%-5level [%%thread] %%date{ISO8601} %%F:%%L - %%msg%%n</pattern></encoder>
  </appender>
  <root level="%s"><appender-ref ref="STDOUT"/></root>
</configuration>
`

func serve() error {
	self, err := ownAddress()
	if err != nil {
		return err
	}
	seed, err := resolveSeed(env("CASSANDRA_SEEDS", ""), self)
	if err != nil {
		return err
	}
	rf, err := strconv.Atoi(env("CASSANDRA_TOKEN_RF", "1"))
	if err != nil || rf < 1 {
		return fmt.Errorf("CASSANDRA_TOKEN_RF=%q: want a positive integer", os.Getenv("CASSANDRA_TOKEN_RF"))
	}
	conf := env("CASSANDRA_CONF", "/etc/cassandra")
	keystore := env("CASSANDRA_TLS_KEYSTORE_FILE", "")
	if keystore != "" {
		// Fail here, in one line, rather than in a Java stack trace.
		if _, err := os.ReadFile(keystore); err != nil {
			return fmt.Errorf("CASSANDRA_TLS_KEYSTORE_FILE: %w", err)
		}
	}
	args, err := launcher.PrepareContainer(launcher.ContainerNode{
		ClusterName:  env("CASSANDRA_CLUSTER_NAME", "find-peers"),
		Host:         self,
		Seed:         seed,
		ReplicaCount: rf,
		Heap:         env("MAX_HEAP_SIZE", "512M"),
		Lib:          env("CASSANDRA_LIB", "/opt/cassandra/lib"),
		StateDir:     env("CASSANDRA_DATA", "/var/lib/cassandra"),
		ConfDir:      conf,
		Keystore:     keystore,
	})
	if err != nil {
		return err
	}
	level := strings.ToUpper(env("CASSANDRA_LOG_LEVEL", "INFO"))
	if err := os.WriteFile(filepath.Join(conf, "logback.xml"), []byte(fmt.Sprintf(logback, level)), 0o644); err != nil {
		return err
	}
	java, _, err := launcher.Java()
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "cassandra-entrypoint: Cassandra %s on %s (seed %s, heap %s, secure %t)\n",
		launcher.Version, self, seed, env("MAX_HEAP_SIZE", "512M"), keystore != "")
	return syscall.Exec(java, append([]string{"java"}, args...), os.Environ())
}
