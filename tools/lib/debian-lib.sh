# Shared by the scripts that fetch from Debian (sourced): tools/bazel,
# tools/cassandra-image, tools/docker-compose.

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
