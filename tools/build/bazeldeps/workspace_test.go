package bazeldeps

import (
	"strings"
	"testing"
)

const goodWorkspace = `
load("@bazel_tools//tools/build_defs/repo:http.bzl", "http_archive")

http_archive(
    name = "rules_x",
    sha256 = "7e2a1f6c5dd908e6e88d7c80257c99d14e16fa985b56342287fddb6a32c435b5",
    strip_prefix = "rules_x-0.0.11",
    urls = ["https://github.com/owner/rules_x/releases/download/v0.0.11/rules_x-v0.0.11.tar.gz"],
)

local_repository(name = "ignored", path = "/x")

go_download_sdk(
    name = "go_sdk",
    sdks = {
        "darwin_amd64": ("go1.26.8.darwin-amd64.tar.gz", "186be014105aa6542b767d2c6ed5cca10a0214bdff809ef1724022a8c7894150"),
        "darwin_arm64": ("go1.26.8.darwin-arm64.tar.gz", "a012b25b571bd0138a03dcd25375ceba866fe5ca822f426d2c66a4de56fd3f4b"),
        "linux_amd64": ("go1.26.8.linux-amd64.tar.gz", "d0f743b33e8d8945e6b1f432edd15785c70507121d6e2a723b21285eddf8b57b"),
        "linux_arm64": ("go1.26.8.linux-arm64.tar.gz", "211ffced9dcb9633a55eac6364816ec0ddd951389a740e88fa8b3337971bdda0"),
    },
    version = "1.26.8",
)
`

func mustParse(t *testing.T, src string) *Workspace {
	t.Helper()
	w, err := ParseWorkspace("WORKSPACE", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestParseWorkspace(t *testing.T) {
	w := mustParse(t, goodWorkspace)
	if len(w.Archives) != 1 {
		t.Fatalf("archives = %+v, want just rules_x", w.Archives)
	}
	a := w.Archives[0]
	if a.Name != "rules_x" || a.Version != "0.0.11" || a.StripPrefix != "rules_x-0.0.11" || len(a.URLs) != 1 {
		t.Errorf("archive = %+v", a)
	}
	if w.GoSDK == nil || w.GoSDK.Version != "1.26.8" || len(w.GoSDK.SDKs) != 4 {
		t.Fatalf("go sdk = %+v", w.GoSDK)
	}
	if f := w.GoSDK.SDKs["linux_arm64"]; f.File != "go1.26.8.linux-arm64.tar.gz" || !strings.HasPrefix(f.SHA256, "211ffced") {
		t.Errorf("linux_arm64 = %+v", f)
	}
	if errs := w.Lint(); len(errs) != 0 {
		t.Errorf("Lint() = %v, want nothing", errs)
	}
	if got := strings.Join(w.Names(), ","); got != "go_sdk,rules_x" {
		t.Errorf("Names() = %s", got)
	}
}

func TestLintFindsEveryProblem(t *testing.T) {
	cases := map[string]struct{ from, to, want string }{
		"no sha256":     {`sha256 = "7e2a1f6c5dd908e6e88d7c80257c99d14e16fa985b56342287fddb6a32c435b5",`, ``, `rules_x: sha256 "" is not 64`},
		"short sha256":  {`"7e2a1f6c5dd908e6e88d7c80257c99d14e16fa985b56342287fddb6a32c435b5"`, `"7e2a"`, `is not 64 lowercase hex`},
		"mirror URL":    {`https://github.com/owner`, `https://mirror.example/github.com/owner`, `is not a release asset`},
		"archive URL":   {`releases/download/v0.0.11/rules_x-v0.0.11.tar.gz`, `archive/refs/tags/v0.0.11.tar.gz`, `is not a release asset`},
		"no URL":        {`urls = ["https://github.com/owner/rules_x/releases/download/v0.0.11/rules_x-v0.0.11.tar.gz"],`, ``, `rules_x: no URL`},
		"two versions":  {`urls = [`, `urls = ["https://github.com/owner/rules_x/releases/download/v0.0.12/rules_x-v0.0.12.tar.gz", `, `URLs name different versions`},
		"platform gone": {`"darwin_arm64": ("go1.26.8.darwin-arm64.tar.gz", "a012b25b571bd0138a03dcd25375ceba866fe5ca822f426d2c66a4de56fd3f4b"),`, ``, `no archive for darwin_arm64`},
		"wrong file":    {`go1.26.8.linux-amd64.tar.gz`, `go1.26.7.linux-amd64.tar.gz`, `linux_amd64 archive is "go1.26.7.linux-amd64.tar.gz", want "go1.26.8.linux-amd64.tar.gz"`},
		"sdk hash":      {`"d0f743b33e8d8945e6b1f432edd15785c70507121d6e2a723b21285eddf8b57b"`, `"D0F7"`, `linux_amd64 sha256 "D0F7"`},
		"no go sdk":     {`go_download_sdk(`, `other_rule(`, `no go_download_sdk`},
		"defined twice": {`local_repository(name = "ignored", path = "/x")`, strings.SplitN(goodWorkspace, "local_repository", 2)[0][strings.Index(goodWorkspace, "http_archive("):], `rules_x: defined twice`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			src := strings.Replace(goodWorkspace, c.from, c.to, 1)
			if src == goodWorkspace {
				t.Fatalf("the case changes nothing")
			}
			errs := mustParse(t, src).Lint()
			var all []string
			for _, e := range errs {
				all = append(all, e.Error())
			}
			if !strings.Contains(strings.Join(all, "\n"), c.want) {
				t.Errorf("Lint() = %q, want one containing %q", all, c.want)
			}
		})
	}
}

func TestParseWorkspaceRejectsPositionalArguments(t *testing.T) {
	_, err := ParseWorkspace("WORKSPACE", []byte(`http_archive("x", sha256 = "y")`))
	if err == nil || !strings.Contains(err.Error(), "WORKSPACE:1: http_archive: only keyword arguments") {
		t.Errorf("err = %v", err)
	}
	if _, err := ParseWorkspace("WORKSPACE", []byte(`http_archive(`)); err == nil {
		t.Error("a syntax error parsed")
	}
}
