package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestUsage(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	cases := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--registry", "r:1", "--key", "k"}, nil, "are required"},
		{[]string{"--image", "a=b", "--key", "k"}, nil, "are required"},
		{[]string{"--image", "a=b", "--registry", "r:1", "--key", "k"}, nil, "tools/cosign --install-only"},
		{[]string{"--image", "a=b", "--registry", "r:1", "--key", "k"}, map[string]string{"COSIGN_BIN": "/nonexistent/cosign"}, "not found"},
	}
	for _, c := range cases {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), c.args, env(c.env), &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q, want 2 and %q", c.args, code, stderr.String(), c.want)
		}
	}
}

func TestNames(t *testing.T) {
	if got := repoName("reg:5000/", "find-peers", "gateway"); got != "reg:5000/find-peers/gateway" {
		t.Errorf("repoName %q", got)
	}
	if got := repoName("reg:5000", "", "gateway"); got != "reg:5000/gateway" {
		t.Errorf("repoName without prefix %q", got)
	}
	wd := func(string) string { return "/home/u" }
	if userPath("k.pub", wd) != "/home/u/k.pub" || userPath("/k.pub", wd) != "/k.pub" {
		t.Error("userPath")
	}
}
