// Package logtest holds what tests that read logs share.
package logtest

import (
	"bytes"
	"sync"
)

// Buffer is an io.Writer that collects what several goroutines write (the
// log lines of a watcher goroutine, of several processes) for a test to
// read with String at any time. The zero value is ready to use.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p; it never fails.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
