package rloc

import (
	"fmt"
	"strings"
)

// Named is a repeatable NAME=PATH flag, the form the BUILD files pass a
// runfile per service in (bazel/services.bzl's image_args: --image
// beacon=find_peers/images/beacon.oci). Set checks the form; Resolve finds
// each file.
type Named []NamedPath

// NamedPath is one NAME=PATH value.
type NamedPath struct{ Name, Path string }

func (n *Named) String() string {
	parts := make([]string, len(*n))
	for i, p := range *n {
		parts[i] = p.Name + "=" + p.Path
	}
	return strings.Join(parts, ",")
}

// Set adds one NAME=PATH value; both halves must be present.
func (n *Named) Set(v string) error {
	name, path, ok := strings.Cut(v, "=")
	if !ok || name == "" || path == "" {
		return fmt.Errorf("%q: want NAME=PATH", v)
	}
	*n = append(*n, NamedPath{Name: name, Path: path})
	return nil
}

// Resolve returns the values with each path made a file system path by Path.
func (n Named) Resolve() ([]NamedPath, error) {
	out := make([]NamedPath, len(n))
	for i, p := range n {
		full, err := Path(p.Path)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.Name, err)
		}
		out[i] = NamedPath{Name: p.Name, Path: full}
	}
	return out, nil
}
