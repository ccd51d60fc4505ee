"""Repository rules that fetch from the Go module proxy instead of GitHub.

This project's machines reach no GitHub and no Bazel registry, but they reach
the Go module proxy, and rules_go, Gazelle and the Go distribution itself are
all published there as modules. The proxy is never written down here: it is
read at fetch time from $GOPROXY (tools/bazel passes the host's `go env
GOPROXY`), or from `go env GOPROXY` of a `go` on PATH.

- go_sdk_download: the Go SDK (module golang.org/toolchain, what GOTOOLCHAIN
  downloads), sha256-pinned per platform; wrap it with rules_go's go_wrap_sdk.
- go_module_repository: any module, fetched with `go mod download` of that SDK,
  which verifies the zip against the pinned go.sum hash (h1:...).
"""

_PROXY_ENV = [
    "GOPROXY",
    "GONOPROXY",
    "GOPRIVATE",
    "GOSUMDB",
    "GONOSUMDB",
    "GOINSECURE",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "HTTPS_PROXY",
    "HTTP_PROXY",
    "NO_PROXY",
    "https_proxy",
    "http_proxy",
    "no_proxy",
]

def _proxy_list(rctx):
    proxy = rctx.os.environ.get("GOPROXY", "")
    if not proxy:
        go = rctx.which("go")
        if go:
            res = rctx.execute([go, "env", "GOPROXY"])
            if res.return_code == 0:
                proxy = res.stdout.strip()
    bases = []
    for p in proxy.replace("|", ",").split(","):
        p = p.strip().rstrip("/")
        if p and p not in ("direct", "off"):
            bases.append(p)
    if not bases:
        fail("no Go module proxy: export GOPROXY (tools/bazel sets it from `go env GOPROXY`)")
    return bases

def _escape(path):
    # The proxy protocol's case encoding: "A" -> "!a".
    out = ""
    for c in path.elems():
        out += ("!" + c.lower()) if c.isupper() else c
    return out

def _goos_goarch(rctx):
    name = rctx.os.name.lower()
    goos = "darwin" if name.startswith("mac") else ("windows" if name.startswith("windows") else "linux")
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(rctx.os.arch, rctx.os.arch)
    return goos, arch

def _go_sdk_download_impl(rctx):
    goos, goarch = _goos_goarch(rctx)
    platform = goos + "_" + goarch
    if platform not in rctx.attr.sha256s:
        fail("go_sdk_download: no pinned sha256 for %s (known: %s)" % (platform, ", ".join(rctx.attr.sha256s.keys())))
    version = "v0.0.1-go%s.%s-%s" % (rctx.attr.version, goos, goarch)
    prefix = "golang.org/toolchain@" + version
    rctx.download_and_extract(
        url = ["%s/golang.org/toolchain/@v/%s.zip" % (b, _escape(version)) for b in _proxy_list(rctx)],
        sha256 = rctx.attr.sha256s[platform],
        stripPrefix = prefix,
        type = "zip",
    )

    # Module zips carry no file modes.
    rctx.execute(["chmod", "-R", "a+x", "bin", "pkg/tool"])
    rctx.file("ROOT", "")
    rctx.file("BUILD.bazel", 'exports_files(["ROOT", "bin/go"])\n')

go_sdk_download = repository_rule(
    implementation = _go_sdk_download_impl,
    doc = "The Go distribution for the host platform, from the proxy's golang.org/toolchain module.",
    attrs = {
        "version": attr.string(mandatory = True, doc = "Go version, e.g. 1.26.8"),
        "sha256s": attr.string_dict(mandatory = True, doc = "GOOS_GOARCH -> sha256 of the toolchain zip"),
    },
    environ = _PROXY_ENV + ["PATH"],
)

def _run(rctx, what, args, env, cwd = ""):
    res = rctx.execute(args, environment = env, working_directory = cwd, timeout = 1800, quiet = True)
    if res.return_code:
        fail("go_module_repository(%s): %s failed (exit %d):\n%s%s" % (rctx.attr.module, what, res.return_code, res.stdout, res.stderr))
    return res.stdout

def _go_module_repository_impl(rctx):
    go = str(rctx.path(rctx.attr.go_sdk_root).dirname) + "/bin/go"
    rctx.file(".fetch/.keep", "")
    scratch = str(rctx.path(".fetch"))
    env = {k: rctx.os.environ[k] for k in _PROXY_ENV if k in rctx.os.environ}
    env.update({
        "HOME": scratch,
        # A private, throw-away module cache: the result depends on the pinned
        # module alone, not on whatever a shared cache holds.
        "GOMODCACHE": scratch + "/mod",
        "GOPATH": scratch + "/gopath",
        "GOCACHE": scratch + "/cache",
        "GOFLAGS": "-modcacherw",
        "GOTOOLCHAIN": "local",
        "GO111MODULE": "on",
        "GOWORK": "off",
    })
    mv = "%s@%s" % (rctx.attr.module, rctx.attr.version)
    info = json.decode(_run(rctx, "go mod download", [go, "mod", "download", "-json", mv], env, scratch))
    if info.get("Error"):
        fail("go_module_repository(%s): %s" % (mv, info["Error"]))
    if info["Sum"] != rctx.attr.sum:
        fail("go_module_repository(%s): checksum mismatch: the proxy served %s, pinned %s" % (mv, info["Sum"], rctx.attr.sum))
    rctx.extract(info["Zip"], stripPrefix = mv)
    for path in rctx.attr.delete:
        rctx.delete(path)
    if rctx.attr.vendor:
        # Module zips drop vendored packages; rebuild vendor/ from the
        # module's own go.mod/go.sum (every module verified the same way).
        rctx.delete("vendor")
        _run(rctx, "go mod vendor", [go, "mod", "vendor"], env, str(rctx.path(".")))
    rctx.delete(".fetch")

go_module_repository = repository_rule(
    implementation = _go_module_repository_impl,
    doc = "A Go module from the module proxy, verified against its go.sum hash.",
    attrs = {
        "module": attr.string(mandatory = True),
        "version": attr.string(mandatory = True),
        "sum": attr.string(mandatory = True, doc = "the module's h1: hash, as in go.sum"),
        "go_sdk_root": attr.label(mandatory = True, doc = "ROOT file of a Go SDK repository"),
        "vendor": attr.bool(doc = "rebuild vendor/ with `go mod vendor` after extracting"),
        "delete": attr.string_list(doc = "paths removed after extracting (before vendoring)"),
    },
    environ = _PROXY_ENV,
)
