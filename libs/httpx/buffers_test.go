package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
)

func TestReadPooled(t *testing.T) {
	body := strings.Repeat("0123456789", 5000)
	for _, size := range []int64{-1, 0, int64(len(body)), 10, 1 << 30} {
		var got string
		err := ReadPooled(strings.NewReader(body), size, 1<<20, func(b []byte) error {
			got = string(b)
			return nil
		})
		if err != nil || got != body {
			t.Errorf("size %d: read %d bytes, err %v; want all %d", size, len(got), err, len(body))
		}
	}
}

func TestReadPooledErrors(t *testing.T) {
	readErr := errors.New("connection reset")
	called := false
	err := ReadPooled(iotest.ErrReader(readErr), -1, 1<<20, func([]byte) error { called = true; return nil })
	if !errors.Is(err, readErr) || called {
		t.Errorf("read error: err %v, use called %v; want the read error and no call", err, called)
	}
	useErr := errors.New("bad body")
	if err := ReadPooled(strings.NewReader("x"), 1, 1<<20, func([]byte) error { return useErr }); !errors.Is(err, useErr) {
		t.Errorf("use's error: got %v", err)
	}
}

// A buffer that grew past maxPooledBuffer must not come back from the pool.
func TestPutBufferDropsHugeBuffers(t *testing.T) {
	for range 10 {
		huge := new(bytes.Buffer)
		huge.Grow(maxPooledBuffer + 1)
		putBuffer(huge)
		if b := getBuffer(); b.Cap() > maxPooledBuffer {
			t.Fatalf("getBuffer returned a buffer of %d bytes, over the %d kept", b.Cap(), maxPooledBuffer)
		}
	}
}

// Answers written at the same time through reused buffers are each whole
// and their own (run with -race).
func TestWriteJSONConcurrentAnswers(t *testing.T) {
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				v := map[string]string{"answer": strings.Repeat(fmt.Sprint(g, "-", i, " "), 100*(i%7+1))}
				rec := httptest.NewRecorder()
				if err := WriteJSON(rec, http.StatusOK, v); err != nil {
					t.Error(err)
					return
				}
				want, _ := json.Marshal(v)
				if got := rec.Body.String(); got != string(want)+"\n" {
					t.Errorf("goroutine %d answer %d: %d bytes, want %d", g, i, len(got), len(want)+1)
					return
				}
			}
		})
	}
	wg.Wait()
}
