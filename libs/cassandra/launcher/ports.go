package launcher

import (
	"fmt"
	"net"
	"strconv"
)

// checkFree fails when host:port is taken. Binding (not dialing) is what the
// node will do, so it is the honest test; the listener is closed at once.
func checkFree(host string, port int, what string) error {
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%s port %s is already in use (another Cassandra? try `go run ./tools/cassandra status` or pick --cql-port): %w", what, addr, err)
	}
	return l.Close()
}
