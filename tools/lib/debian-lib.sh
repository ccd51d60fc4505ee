# Shared by the scripts that install or fetch from Debian (sourced):
# tools/bazel, tools/podman-setup, tools/cassandra-image, tools/docker-compose,
# tools/k8s-validate.

# debian_mirror prints the Debian mirror this host's apt already uses
# (deb822 or one-line sources), so that no mirror address is written into the
# project. It returns 1, printing nothing, when there is none.
debian_mirror() {
  local m
  m="$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null \
        | awk '{print $2}' | grep -v -- '-security' | grep '/debian/*$' | head -n1 || true)"
  [[ -n "$m" ]] || m="$(grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
        | awk '{print $2}' | grep -v -- '-security' | grep '/debian/*$' | head -n1 || true)"
  [[ -n "$m" ]] || return 1
  echo "${m%/}"
}

# debian_missing_in RUNNER PKG...: prints each PKG that dpkg does not have
# installed, one a line, asking dpkg-query through RUNNER (`env` for this
# host; tools/bazel passes its chroot runner). Every package is checked,
# never just one that stands for the rest.
debian_missing_in() {
  local runner="$1" installed p; shift
  installed=" $("$runner" dpkg-query -W -f='${Package}:${Status} ' "$@" 2>/dev/null || true)"
  for p in "$@"; do
    [[ "$installed" == *" $p:install ok installed "* ]] || echo "$p"
  done
}
debian_missing() { debian_missing_in env "$@"; }

# debian_install PKG...: installs, with apt-get, each PKG this host lacks, and
# checks that none is missing afterwards. Returns 1, saying why, when that
# cannot be done (no dpkg, not root, apt-get failed).
debian_install() {
  local missing
  command -v dpkg-query >/dev/null || { echo "${0##*/}: no dpkg-query: install $* by hand" >&2; return 1; }
  mapfile -t missing < <(debian_missing "$@")
  ((${#missing[@]})) || return 0
  [[ "$(id -u)" == 0 ]] || { echo "${0##*/}: missing packages: ${missing[*]}; installing them needs root" >&2; return 1; }
  echo "${0##*/}: installing ${missing[*]} (apt-get)…" >&2
  { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >/dev/null \
    || { echo "${0##*/}: apt-get install ${missing[*]} failed" >&2; return 1; }
  mapfile -t missing < <(debian_missing "$@")
  ((${#missing[@]} == 0)) || { echo "${0##*/}: still missing after apt-get install: ${missing[*]}" >&2; return 1; }
}
