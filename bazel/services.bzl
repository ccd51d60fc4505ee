"""The four services: the one list the BUILD files take them from.

images/BUILD.bazel makes one image per entry; the demo, the end-to-end and
fault tests and the benchmark get each service's binary (and image) from the
helpers below; the scripts read it with tools/lib/services.sh. The Go side's
list is libs/servicelist; a test there checks that both name the same
services in the same order.

port: where the service listens inside its container; run_check: how the
image test runs the binary ("probe": beacon and tracking need Cassandra
before they listen, so the test runs --help and `health`; "serve": started
and probed); want_modules: modules that must show in the binary's build
info (go version -m).
"""

SERVICES = {
    "beacon": {
        "port": "8081",
        "run_check": "probe",
        "want_modules": ["github.com/gorilla/mux", "github.com/gocql/gocql"],
    },
    "tracking": {
        "port": "8082",
        "run_check": "probe",
        "want_modules": ["github.com/gorilla/mux", "github.com/gocql/gocql"],
    },
    "aggregator": {
        "port": "8083",
        "run_check": "serve",
        "want_modules": ["github.com/gorilla/mux"],
    },
    "gateway": {
        "port": "9000",
        "run_check": "serve",
        "want_modules": ["github.com/gorilla/mux"],
    },
}

SERVICE_NAMES = list(SERVICES.keys())

# The services' go_binary targets, e.g. for a test's data.
SERVICE_BINARIES = ["//services/%s" % s for s in SERVICE_NAMES]

# <SERVICE>_BIN=<path> for a go_test's env (read by libs/procstack's users).
SERVICE_BIN_ENV = {"%s_BIN" % s.upper(): "$(rootpath //services/%s)" % s for s in SERVICE_NAMES}

# -<service>=<path> for a go_binary's args (procstack.Binaries flags).
SERVICE_BIN_ARGS = ["-%s=$(rootpath //services/%s)" % (s, s) for s in SERVICE_NAMES]

def image_files(suffix):
    """The labels of every service image's file with the given suffix.

    Args:
      suffix: "digest", "tarball", "layout", ...
    Returns:
      A list of labels in //images.
    """
    return ["//images:%s.%s" % (s, suffix) for s in SERVICE_NAMES]

def image_args(flag, suffix, expand = "rootpath"):
    """Arguments <flag>=<service>=<path of its image's file>, one per service.

    Args:
      flag: the flag with its dashes, e.g. "-digest".
      suffix: as for image_files.
      expand: "rootpath" (a path under the runfiles directory, the working
        directory of `bazel run`) or "rlocationpath" (for libs/rloc).
    Returns:
      A list of arguments.
    """
    return ["%s=%s=$(%s //images:%s.%s)" % (flag, s, expand, s, suffix) for s in SERVICE_NAMES]
