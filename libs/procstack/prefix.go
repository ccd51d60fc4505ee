package procstack

import (
	"bytes"
	"io"
	"sync"
)

// prefixWriter returns a writer that copies whole lines to w, each prefixed
// with "name | ", so the interleaved logs of several processes stay readable.
// Writers made for the same w share a lock, so lines never interleave.
func prefixWriter(w io.Writer, name string) io.Writer {
	if w == io.Discard {
		return w
	}
	return &linePrefixer{w: w, prefix: []byte(name + " | ")}
}

var outputMu sync.Mutex

type linePrefixer struct {
	w       io.Writer
	prefix  []byte
	pending []byte
}

func (l *linePrefixer) Write(p []byte) (int, error) {
	l.pending = append(l.pending, p...)
	for {
		i := bytes.IndexByte(l.pending, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := append(append([]byte{}, l.prefix...), l.pending[:i+1]...)
		outputMu.Lock()
		_, err := l.w.Write(line)
		outputMu.Unlock()
		l.pending = l.pending[i+1:]
		if err != nil {
			return len(p), err
		}
	}
}
