package httpx

import (
	"bytes"
	"io"
	"sync"
)

// The list answers run to hundreds of KB (1 000 sightings are about 150 KB:
// tracking's answer to the aggregator at 100 beacons, and the aggregator's
// own answer). Allocating a buffer for each request made garbage, and so GC
// work, grow with the answer; the buffers are reused instead. A buffer that
// grew past maxPooledBuffer is dropped rather than kept, so one rare huge
// answer does not stay pinned in the pool.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxPooledBuffer = 4 << 20

func getBuffer() *bytes.Buffer {
	b := buffers.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

func putBuffer(b *bytes.Buffer) {
	if b.Cap() <= maxPooledBuffer {
		buffers.Put(b)
	}
}

// ReadPooled reads r to its end into a reused buffer, grown first to size
// when 0 < size <= maxSize (an announced Content-Length, trusted only up to
// the caller's own limit), and calls use with the bytes. They are valid
// only during the call: use must copy whatever it keeps. A read error is
// returned without calling use.
func ReadPooled(r io.Reader, size, maxSize int64, use func([]byte) error) error {
	buf := getBuffer()
	defer putBuffer(buf)
	if size > 0 && size <= maxSize {
		buf.Grow(int(size) + bytes.MinRead) // ReadFrom grows unless MinRead bytes are free
	}
	if _, err := buf.ReadFrom(r); err != nil {
		return err
	}
	return use(buf.Bytes())
}
