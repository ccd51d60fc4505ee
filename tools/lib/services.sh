# The services, in start order, as the array SERVICES: read from SERVICES in
# bazel/services.bzl, the list the BUILD files use (sourced by tools/fault-check,
# tools/api-fuzz and tools/lib/stack-lib.sh).
mapfile -t SERVICES < <(sed -n '/^SERVICES = {$/,/^}$/s/^    "\([a-z]*\)": {$/\1/p' \
  "$(dirname "${BASH_SOURCE[0]}")/../../bazel/services.bzl")
(( ${#SERVICES[@]} > 0 )) || { echo "no services in bazel/services.bzl" >&2; exit 1; }
