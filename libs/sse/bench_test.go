package sse

import (
	"fmt"
	"testing"
)

const benchData = `{"beaconId":"5bf966d9-8046-4fc1-ae5a-80c923ebea5a","timeLogged":"2016-09-06T10:00:00Z","userId":"f525cff6-721e-11e6-8b77-86f30ca893d3","name":"Avinash Erupaka"}`

// BenchmarkFanOut measures the broker's cost of delivering one event to N
// subscribers: encode once, offer to every subscriber's buffer, and each
// subscriber taking it out. Subscribers are drained in the loop rather than
// by goroutines so no subscriber falls behind and gets dropped, which would
// make the numbers meaningless; network writes are not included.
func BenchmarkFanOut(b *testing.B) {
	for _, n := range []int{1, 10, 100, 1000, 10000} {
		b.Run(fmt.Sprintf("subscribers=%d", n), func(b *testing.B) {
			br := NewBroker(4)
			subs := make([]*Subscription, n)
			for i := range subs {
				subs[i] = br.Subscribe(nil)
			}
			b.ReportAllocs()
			for b.Loop() {
				if got, _ := br.Publish("k", Event{Event: "sighting", Data: benchData}); got != n {
					b.Fatalf("delivered to %d of %d", got, n)
				}
				for _, s := range subs {
					<-s.C
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/delivery")
			br.Close()
		})
	}
}

// BenchmarkFanOutFiltered publishes to 1000 subscribers of which 10 want the
// event's key, as with many clients each watching a few beacons: the cost of
// running every filter.
func BenchmarkFanOutFiltered(b *testing.B) {
	br := NewBroker(4)
	var matching []*Subscription
	for i := range 1000 {
		key := fmt.Sprint(i % 100)
		s := br.Subscribe(func(k string) bool { return k == key })
		if key == "7" {
			matching = append(matching, s)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		br.Publish("7", Event{Event: "sighting", Data: benchData})
		for _, s := range matching {
			<-s.C
		}
	}
	br.Close()
}

// BenchmarkReader measures parsing one sighting event on the client side.
func BenchmarkReader(b *testing.B) {
	frame, _ := Event{Event: "sighting", Data: benchData}.Encode()
	b.SetBytes(int64(len(frame)))
	sr := NewReader(&loopReader{frame: frame})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sr.Next(); err != nil {
			b.Fatal(err)
		}
	}
}

// loopReader repeats frame forever.
type loopReader struct {
	frame []byte
	off   int
}

func (l *loopReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c := copy(p[n:], l.frame[l.off:])
		n += c
		l.off = (l.off + c) % len(l.frame)
	}
	return n, nil
}
