package main

import (
	"context"
	"errors"
	"net/netip"
	"reflect"
	"testing"
)

func fakeDial(open ...string) dialFunc {
	return func(_ context.Context, addr string) error {
		for _, o := range open {
			if o == addr {
				return nil
			}
		}
		return errors.New("refused")
	}
}

func TestProbe(t *testing.T) {
	ctx := context.Background()
	addrs := []netip.Addr{netip.MustParseAddr("192.168.1.5"), netip.MustParseAddr("2001:db8::5")}
	reached, err := probe(ctx, addrs, internalPorts, fakeDial("127.0.0.1:9000"))
	if err != nil || len(reached) != 0 {
		t.Errorf("isolated host: %v %v", reached, err)
	}
	// A published internal service is reported, on either address family.
	reached, _ = probe(ctx, addrs, internalPorts, fakeDial("127.0.0.1:9000", "192.168.1.5:8081", "[2001:db8::5]:9042"))
	if want := []string{"192.168.1.5:8081", "[2001:db8::5]:9042"}; !reflect.DeepEqual(reached, want) {
		t.Errorf("reached %v, want %v", reached, want)
	}
	// Without the control, nothing is proven.
	if _, err := probe(ctx, addrs, internalPorts, fakeDial()); err == nil {
		t.Error("probe passed without the control connecting")
	}
	if _, err := probe(ctx, nil, internalPorts, fakeDial("127.0.0.1:9000")); err == nil {
		t.Error("probe passed with no address to probe")
	}
}

func TestHostAddrsSkipLoopback(t *testing.T) {
	addrs, err := hostAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if a.IsLoopback() || a.IsLinkLocalUnicast() {
			t.Errorf("probing %s", a)
		}
	}
}
