package bazeldeps

import (
	"strings"
	"testing"
)

const goodManifest = `{
  "about": "test",
  "repositories": {
    "rules_x": {"version": "0.0.11", "debian": "bazel-rules-x", "path": "/usr/share/bazel/rules/x"},
    "go_sdk": {"version": "1.26.8", "go_toolchain": {"linux_amd64": "30c2b1bf7dcc88d3eb0a1364e47ddd9128edb3110a30e8a0ef61cd5856b31de7"}}
  }
}`

func checkErrs(t *testing.T, manifest string) string {
	t.Helper()
	m, err := ParseManifest([]byte(manifest))
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, e := range m.Check(mustParse(t, goodWorkspace)) {
		all = append(all, e.Error())
	}
	return strings.Join(all, "\n")
}

func TestManifestCheck(t *testing.T) {
	if got := checkErrs(t, goodManifest); got != "" {
		t.Fatalf("Check() = %s, want nothing", got)
	}
	cases := map[string]struct{ from, to, want string }{
		"version drift":     {`"version": "0.0.11"`, `"version": "0.0.10"`, "rules_x: WORKSPACE has 0.0.11, offline bazel/offline.json has 0.0.10"},
		"explained drift":   {`"version": "0.0.11",`, `"version": "0.0.10", "drift": "only 0.0.10 packaged",`, ""},
		"stale explanation": {`"version": "0.0.11",`, `"version": "0.0.11", "drift": "old reason",`, "rules_x: drift explained, but both are 0.0.11"},
		"missing source":    {`"rules_x": {"version": "0.0.11", "debian": "bazel-rules-x", "path": "/usr/share/bazel/rules/x"},`, ``, "rules_x: WORKSPACE downloads it, but bazel/offline.json has no offline source"},
		"extra source":      {`"repositories": {`, `"repositories": {"rules_y": {"version": "1", "debian": "y", "path": "/usr/share/bazel/y"},`, "rules_y: in bazel/offline.json, but WORKSPACE does not download it"},
		"two kinds":         {`"debian": "bazel-rules-x",`, `"debian": "bazel-rules-x", "go_module": "example.com/x", "sum": "h1:x",`, "rules_x: set exactly one of"},
		"no kind":           {`"debian": "bazel-rules-x", "path": "/usr/share/bazel/rules/x"`, `"path": "/usr/share/bazel/rules/x"`, "rules_x: set exactly one of"},
		"bad path":          {`/usr/share/bazel/rules/x`, `/opt/x`, `rules_x: path "/opt/x" is not under /usr/share/bazel/`},
		"sdk kind":          {`"go_toolchain": {"linux_amd64": "30c2b1bf7dcc88d3eb0a1364e47ddd9128edb3110a30e8a0ef61cd5856b31de7"}`, `"debian": "golang", "path": "/usr/share/bazel/go"`, "go_sdk: the Go SDK's offline source must be go_toolchain"},
		"sdk hash":          {`"30c2b1bf7dcc88d3eb0a1364e47ddd9128edb3110a30e8a0ef61cd5856b31de7"`, `"30c2"`, `go_sdk: go_toolchain[linux_amd64] "30c2" is not a sha256`},
		"no version":        {`"version": "1.26.8", `, ``, "go_sdk: bazel/offline.json gives no version"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			src := strings.Replace(goodManifest, c.from, c.to, 1)
			if src == goodManifest {
				t.Fatal("the case changes nothing")
			}
			got := checkErrs(t, src)
			if c.want == "" && got != "" || c.want != "" && !strings.Contains(got, c.want) {
				t.Errorf("Check() = %q, want %q", got, c.want)
			}
		})
	}
}

func TestParseManifestIsStrict(t *testing.T) {
	_, err := ParseManifest([]byte(`{"repositories": {"x": {"version": "1", "debain": "typo"}}}`))
	if err == nil || !strings.Contains(err.Error(), `unknown field "debain"`) {
		t.Errorf("err = %v, want the unknown field named", err)
	}
}

func TestCheckInstalled(t *testing.T) {
	m, err := ParseManifest([]byte(goodManifest))
	if err != nil {
		t.Fatal(err)
	}
	if errs := m.CheckInstalled(map[string]string{"bazel-rules-x": "0.0.11-3"}); len(errs) != 0 {
		t.Errorf("CheckInstalled(same version) = %v", errs)
	}
	errs := m.CheckInstalled(map[string]string{"bazel-rules-x": "0.0.12-1"})
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "bazel/offline.json says 0.0.11, but the installed bazel-rules-x is 0.0.12 (0.0.12-1)") {
		t.Errorf("CheckInstalled(newer) = %v", errs)
	}
	errs = m.CheckInstalled(map[string]string{})
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "Debian package bazel-rules-x is not installed") {
		t.Errorf("CheckInstalled(none) = %v", errs)
	}
}
