package httpxtest

import (
	"errors"
	"net"
	"syscall"
	"testing"
	"time"
)

// Blackhole returns an address on 127.0.0.1 where a connect neither
// succeeds nor is refused: it hangs until the dialer gives up, as it does
// at the old address of a restarted container or a deleted pod, whose SYNs
// nobody answers. (A closed port is refused at once, which hides every bug
// of a client that waits too long to connect.)
//
// It is a listener whose accept queue is cut to the least the kernel allows
// (listen(2) again with a backlog of 0) and then filled with connections
// nobody accepts: the kernel drops the SYNs that follow. Those connections
// and the listener live until the test ends.
func Blackhole(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	raw, err := l.(*net.TCPListener).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var listenErr error
	if err := raw.Control(func(fd uintptr) { listenErr = syscall.Listen(int(fd), 0) }); err != nil || listenErr != nil {
		t.Fatalf("cutting the accept queue: %v %v", err, listenErr)
	}
	addr := l.Addr().String()
	// The queue holds one or a few connections (it depends on the kernel);
	// fill it until a connect hangs.
	for range 16 {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err != nil {
			if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
				return addr
			}
			t.Fatalf("filling the accept queue of %s: %v", addr, err)
		}
		t.Cleanup(func() { c.Close() })
	}
	t.Fatalf("%s still accepts connections after 16: no blackhole on this kernel", addr)
	return ""
}
