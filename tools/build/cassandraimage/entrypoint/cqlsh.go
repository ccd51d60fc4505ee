package main

import (
	"fmt"
	"io"
	"log"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gocql/gocql"

	"github.com/find-peers/find-peers/libs/cassandra"
)

// health asks this node for its release version (logged in, over TLS, when
// the environment says so).
func health() int {
	return cqlsh([]string{"-e", "SELECT release_version FROM system.local"})
}

// cqlsh runs one statement (-e) against HOST (default this node) and prints
// the rows as name=value lines. Without -e it is the health check.
func cqlsh(args []string) int {
	query, pos, code := parseCqlsh(args)
	if code != 0 {
		return code
	}
	if query == "" {
		return health()
	}
	host, port := "", 9042
	if len(pos) > 0 {
		host = pos[0]
	}
	if len(pos) > 1 {
		p, err := strconv.Atoi(pos[1])
		if err != nil {
			fmt.Fprintln(os.Stderr, "cqlsh: bad port", pos[1])
			return 2
		}
		port = p
	}
	if host == "" || host == "localhost" || host == "127.0.0.1" {
		self, err := ownAddress()
		if err != nil {
			fmt.Fprintln(os.Stderr, "cqlsh:", err)
			return 1
		}
		host = self
	}
	s, err := openNode(host, port)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cqlsh:", err)
		return 1
	}
	defer s.Close()
	return printRows(s.Query(query).Iter())
}

// parseCqlsh returns the -e statement and the positional arguments, or a
// non-zero exit code.
func parseCqlsh(args []string) (query string, pos []string, code int) {
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-e" || a == "--execute":
			if i+1 >= len(args) {
				fmt.Fprintln(os.Stderr, "cqlsh: -e needs a statement")
				return "", nil, 2
			}
			// podman 4.3's Docker API re-splits exec-form healthchecks on
			// spaces, so `-e "SELECT x FROM t"` arrives as several words:
			// take every word up to the next flag as the statement (a host
			// and port go before -e).
			j := i + 1
			for j < len(args) && !strings.HasPrefix(args[j], "-") {
				j++
			}
			query = strings.Join(args[i+1:j], " ")
			i = j - 1
		case strings.HasPrefix(a, "--execute="):
			query = strings.TrimPrefix(a, "--execute=")
		case strings.HasPrefix(a, "-"):
			fmt.Fprintf(os.Stderr, "cqlsh: this minimal cqlsh knows only -e (got %s)\n", a)
			return "", nil, 2
		default:
			pos = append(pos, a)
		}
	}
	return query, pos, 0
}

// openNode connects to this one node only, with the login and TLS settings
// of the environment. Until the bootstrap job (bootstrap.go) has created
// the configured role, only the default superuser exists: that login is
// tried next, so the node is healthy, and the job can start, before it.
func openNode(host string, port int) (*gocql.Session, error) {
	sec, err := cassandra.SecurityFromEnv()
	if err != nil {
		return nil, err
	}
	if sec.TLS() && sec.TLSServerName == "" {
		// The node's certificate names its host name, not its address.
		sec.TLSServerName, _ = os.Hostname()
	}
	s, err := openAs(host, port, sec)
	if err == nil || sec.Username == "" || sec.Username == cassandra.DefaultSuperuser {
		return s, err
	}
	def := sec
	def.Username, def.Password = cassandra.DefaultSuperuser, cassandra.DefaultSuperuser
	if s, derr := openAs(host, port, def); derr == nil {
		return s, nil
	}
	return nil, err
}

func openAs(host string, port int, sec cassandra.Security) (*gocql.Session, error) {
	c := gocql.NewCluster(host)
	c.Port = port
	c.Timeout = 4 * time.Second
	c.ConnectTimeout = 4 * time.Second
	c.DisableInitialHostLookup = true
	c.HostFilter = gocql.WhiteListHostFilter(host)
	c.NumConns = 1
	c.Consistency = gocql.One
	c.Logger = log.New(io.Discard, "", 0)
	if err := sec.Apply(c); err != nil {
		return nil, err
	}
	return c.CreateSession()
}

func printRows(iter *gocql.Iter) int {
	for {
		row := map[string]any{}
		if !iter.MapScan(row) {
			break
		}
		keys := make([]string, 0, len(row))
		for k := range row {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = fmt.Sprintf("%s=%v", k, row[k])
		}
		fmt.Println(strings.Join(parts, " "))
	}
	if err := iter.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "cqlsh:", err)
		return 1
	}
	return 0
}
