package balance

import (
	"io"
	"sync"
)

// heldBody lets one request body be offered to a second endpoint after the
// first could not be dialed. A RoundTripper closes the body when it fails,
// even if it never read a byte, so while the body is held its Close is only
// noted; release closes the original then (or leaves it to the Close still
// to come), and the original is closed exactly once. Read counts the bytes
// taken, since a body that was even partly sent must never be sent again.
type heldBody struct {
	body io.ReadCloser

	mu       sync.Mutex
	read     int64
	held     bool
	closeDue bool // Close was called while held
	closed   bool
}

func holdBody(body io.ReadCloser) *heldBody {
	return &heldBody{body: body, held: true}
}

func (b *heldBody) Read(p []byte) (int, error) {
	n, err := b.body.Read(p)
	b.mu.Lock()
	b.read += int64(n)
	b.mu.Unlock()
	return n, err
}

// untouched says that no byte of the body has been read yet.
func (b *heldBody) untouched() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.read == 0
}

func (b *heldBody) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.held {
		b.closeDue = true
		return nil
	}
	return b.closeOnce()
}

// release ends the holding: no further attempt will read the body. The
// last attempt's RoundTripper may still be sending it (an answer can come
// before the whole body went out), so the original is closed now only if
// that one has closed it already.
func (b *heldBody) release() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.held = false
	if b.closeDue {
		_ = b.closeOnce()
	}
}

// closeOnce closes the original; b.mu is held.
func (b *heldBody) closeOnce() error {
	if b.closed {
		return nil
	}
	b.closed = true
	return b.body.Close()
}
