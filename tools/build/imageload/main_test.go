package main

import (
	"errors"
	"testing"
)

func TestEngine(t *testing.T) {
	only := func(names ...string) func(string) (string, error) {
		return func(n string) (string, error) {
			for _, m := range names {
				if m == n {
					return "/usr/bin/" + n, nil
				}
			}
			return "", errors.New("not found")
		}
	}
	if e, _ := Engine("", only("podman", "docker")); e != "podman" {
		t.Errorf("both: %s", e)
	}
	if e, _ := Engine("", only("docker")); e != "docker" {
		t.Errorf("docker only: %s", e)
	}
	if _, err := Engine("", only()); err == nil {
		t.Error("none: no error")
	}
	if _, err := Engine("podman", only("docker")); err == nil {
		t.Error("missing requested engine accepted")
	}
}
