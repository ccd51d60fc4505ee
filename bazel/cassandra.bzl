"""@cassandra_jars: the pinned Apache Cassandra jars, for tests that start a node.

Reads libs/cassandra/launcher/jars.lock, the list the launcher's `fetch`
verifies too ("<sha256>  group:artifact:version[:classifier]" per jar), and
downloads every jar with its sha256, so each lands verified in Bazel's
content-addressed repository cache and later fetches need no network.

The Maven repository is never written down: its base URL comes from
$FIND_PEERS_MAVEN_REPOSITORY, which tools/bazel sets from
`go run ./tools/cassandra maven-repository` (the repository this machine's
Maven uses for Maven Central).

The repository holds lib/<artifact>-<version>[-<classifier>].jar, the names
Maven gives them and the launcher's class path expects, and one target,
//:jars, the filegroup of them all.
"""

_ENV = "FIND_PEERS_MAVEN_REPOSITORY"

def _jar(coord):
    """Returns (path below the repository base, file name) of a jar."""
    parts = coord.split(":")
    if len(parts) not in (3, 4):
        fail("jars.lock: bad Maven coordinates %r (want group:artifact:version[:classifier])" % coord)
    group, artifact, version = parts[0], parts[1], parts[2]
    name = "%s-%s%s.jar" % (artifact, version, "-" + parts[3] if len(parts) == 4 else "")
    return "/".join([group.replace(".", "/"), artifact, version, name]), name

def _cassandra_jars_impl(rctx):
    base = rctx.os.environ.get(_ENV, "").strip().rstrip("/")
    if not base:
        fail(("%s is unset: it names the Maven repository to download the Cassandra jars from. " +
              "tools/bazel sets it from `go run ./tools/cassandra maven-repository` (needs Maven on PATH); " +
              "or export it as a Maven repository's base URL.") % _ENV)
    pending, names = [], []
    for line in rctx.read(rctx.attr.lock).splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        sha256, _, coord = line.partition("  ")
        path, name = _jar(coord.strip())
        names.append("lib/" + name)

        # Non-blocking: the ~100 downloads run in parallel.
        pending.append(rctx.download(
            url = base + "/" + path,
            output = "lib/" + name,
            sha256 = sha256,
            block = False,
        ))
    for p in pending:
        p.wait()
    rctx.file("BUILD.bazel", """filegroup(
    name = "jars",
    srcs = [
{}
    ],
    visibility = ["//visibility:public"],
)
""".format("\n".join(['        "%s",' % n for n in sorted(names)])))

cassandra_jars = repository_rule(
    implementation = _cassandra_jars_impl,
    doc = "The jars of jars.lock from the Maven repository named by $FIND_PEERS_MAVEN_REPOSITORY.",
    attrs = {
        "lock": attr.label(default = "//libs/cassandra/launcher:jars.lock", allow_single_file = True),
    },
    environ = [_ENV],
)
