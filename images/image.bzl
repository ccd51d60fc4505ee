"""go_image: reproducible multi-platform OCI images of a go_binary, no Dockerfile.

go_image(name, binary, ports, env, labels) cross-compiles `binary` for
linux/amd64 and linux/arm64 (pure Go, static, stripped: -s -w) through a
split transition, then runs //tools/build/imagebuilder (go-containerregistry) to write:

  <name>.oci             OCI image layout: index.json -> image index (amd64 + arm64)
  <name>.tar             `podman load` / `docker load` tarball of the exec-platform image,
                         tagged find-peers/<name>:latest
  <name>.sbom.spdx.json  SPDX 2.3 SBOM of the Go modules linked in
  <name>.digest          JSON: index digest, per-platform digests, sizes

and a go_test <name>_test (images/image_test.go) that checks the result.
"""

load("@io_bazel_rules_go//go:def.bzl", "GoArchive", "go_test")

PLATFORMS = {
    "linux_amd64": ("linux/amd64", "@io_bazel_rules_go//go/toolchain:linux_amd64"),
    "linux_arm64": ("linux/arm64", "@io_bazel_rules_go//go/toolchain:linux_arm64"),
}

_PLATFORMS_FLAG = "//command_line_option:platforms"
_LINKOPTS_FLAG = "@io_bazel_rules_go//go/config:gc_linkopts"
_STATIC_FLAG = "@io_bazel_rules_go//go/config:static"
_PURE_FLAG = "@io_bazel_rules_go//go/config:pure"

def _cross_impl(settings, attr):
    return {
        key: {
            _PLATFORMS_FLAG: str(Label(platform)),
            _LINKOPTS_FLAG: ["-s", "-w"],
            _STATIC_FLAG: True,
            _PURE_FLAG: True,
        }
        for key, (_, platform) in PLATFORMS.items()
    }

_cross = transition(
    implementation = _cross_impl,
    inputs = [],
    outputs = [_PLATFORMS_FLAG, _LINKOPTS_FLAG, _STATIC_FLAG, _PURE_FLAG],
)

def _oci_image_impl(ctx):
    name = ctx.attr.repository or "find-peers/" + ctx.label.name
    layout = ctx.actions.declare_directory(ctx.label.name + ".oci")
    tar = ctx.actions.declare_file(ctx.label.name + ".tar")
    sbom = ctx.actions.declare_file(ctx.label.name + ".sbom.spdx.json")
    digest = ctx.actions.declare_file(ctx.label.name + ".digest")
    pkgs = ctx.actions.declare_file(ctx.label.name + ".packages")

    args = ctx.actions.args()
    args.add("--name", name)
    binaries = []
    importpaths = {}
    for key, (platform, _) in PLATFORMS.items():
        target = ctx.split_attr.binary[key]
        exe = target[DefaultInfo].files_to_run.executable
        binaries.append(exe)
        args.add("--binary", "%s=%s" % (platform, exe.path))
        for data in target[GoArchive].transitive.to_list():
            importpaths[data.importpath] = True

    # The import paths linked in: the SBOM maps them to go.mod's modules
    # (rules_go's linker records no module build info in the binary).
    ctx.actions.write(pkgs, "\n".join(sorted(importpaths.keys())) + "\n")

    for p in ctx.attr.ports:
        args.add("--port", p)
    for k, v in ctx.attr.env.items():
        args.add("--env", "%s=%s" % (k, v))
    labels = dict(ctx.attr.labels)
    labels.setdefault("org.opencontainers.image.title", ctx.label.name)
    for k in sorted(labels.keys()):
        args.add("--label", "%s=%s" % (k, labels[k]))
    if ctx.attr.created:
        args.add("--created", ctx.attr.created)
    args.add("--packages", pkgs)
    args.add("--gomod", ctx.file.gomod)
    args.add("--gosum", ctx.file.gosum)
    args.add("--layout", layout.path)
    args.add("--tarball", tar)
    args.add("--sbom", sbom)
    args.add("--digest", digest)

    ctx.actions.run(
        executable = ctx.executable._builder,
        arguments = [args],
        inputs = binaries + [pkgs, ctx.file.gomod, ctx.file.gosum],
        outputs = [layout, tar, sbom, digest],
        mnemonic = "OCIImage",
        progress_message = "Building OCI image %s (linux/amd64, linux/arm64)" % name,
        # The environment is ignored on purpose (no SOURCE_DATE_EPOCH etc.).
        env = {},
    )
    return [
        DefaultInfo(files = depset([layout, tar, sbom, digest])),
        OutputGroupInfo(
            layout = depset([layout]),
            tarball = depset([tar]),
            sbom = depset([sbom]),
            digest = depset([digest]),
            binaries = depset(binaries),
        ),
    ]

oci_image = rule(
    implementation = _oci_image_impl,
    doc = "Reproducible OCI image index (linux/amd64 + linux/arm64) of a go_binary.",
    attrs = {
        "binary": attr.label(mandatory = True, cfg = _cross, providers = [GoArchive], doc = "a go_binary"),
        "repository": attr.string(doc = "image name; default find-peers/<name>"),
        "ports": attr.string_list(doc = "exposed ports, e.g. [\"8081\"]"),
        "env": attr.string_dict(doc = "environment added after PATH and SSL_CERT_FILE"),
        "labels": attr.string_dict(doc = "config labels (org.opencontainers.image.*)"),
        "created": attr.string(doc = "creation time (RFC 3339 or Unix seconds); default the Unix epoch"),
        "gomod": attr.label(default = "//:go.mod", allow_single_file = True),
        "gosum": attr.label(default = "//:go.sum", allow_single_file = True),
        "_builder": attr.label(default = "//tools/build/imagebuilder", executable = True, cfg = "exec"),
        "_allowlist_function_transition": attr.label(default = "@bazel_tools//tools/allowlists/function_transition_allowlist"),
    },
)

DEFAULT_LABELS = {
    "org.opencontainers.image.source": "https://github.com/find-peers/find-peers",
    "org.opencontainers.image.version": "0.0.0-dev",
    "org.opencontainers.image.revision": "unknown",
}

def go_image(name, binary, ports = [], env = {}, labels = {}, run_check = "serve", env_prefix = None, want_modules = [], visibility = None, **kwargs):
    """One image of a go_binary, its output-group aliases and its test.

    Targets: <name> (all outputs), <name>.layout, <name>.tarball,
    <name>.sbom, <name>.digest (single-output filegroups), <name>_test.

    Args:
      name: image name (the repository is find-peers/<name>).
      binary: a go_binary label.
      ports: exposed ports.
      env: container environment (e.g. the listen address).
      labels: extra/overriding OCI labels.
      run_check: what <name>_test runs the extracted /app with: "serve"
        (serve on a free port, GET /healthz must be 200) or "probe"
        (--help, and the `health` subcommand against a stub; for services
        that cannot serve without Cassandra).
      env_prefix: the service's env prefix (BEACON -> BEACON_LISTEN_ADDR).
      want_modules: Go modules the SBOM must list.
      visibility: of the image targets.
      **kwargs: passed to oci_image.
    """
    all_labels = dict(DEFAULT_LABELS)
    all_labels.update(labels)
    oci_image(
        name = name,
        binary = binary,
        ports = ports,
        env = env,
        labels = all_labels,
        visibility = visibility,
        **kwargs
    )
    for group in ["layout", "tarball", "sbom", "digest"]:
        native.filegroup(
            name = name + "." + group,
            srcs = [":" + name],
            output_group = group,
            visibility = visibility,
        )
    prefix = env_prefix or name.upper()
    go_test(
        name = name + "_test",
        srcs = ["image_test.go"],
        data = [":" + name + ".layout", ":" + name + ".tarball", ":" + name + ".sbom", ":" + name + ".digest"],
        args = [
            "--layout=$(rlocationpath :%s.layout)" % name,
            "--tarball=$(rlocationpath :%s.tarball)" % name,
            "--sbom=$(rlocationpath :%s.sbom)" % name,
            "--digest=$(rlocationpath :%s.digest)" % name,
            "--name=find-peers/" + name,
            "--ports=" + ",".join(ports),
            "--env-prefix=" + prefix,
            "--run=" + run_check,
            "--want-modules=" + ",".join(want_modules),
        ] + ["--env=%s=%s" % (k, v) for k, v in sorted(env.items())],
        deps = [
            "//libs/httpx/httpxtest",
            "//libs/ociimage",
            "@com_github_google_go_containerregistry//pkg/v1:pkg",
            "@com_github_google_go_containerregistry//pkg/v1/tarball",
            "//libs/rloc",
        ],
        size = "medium",
    )
