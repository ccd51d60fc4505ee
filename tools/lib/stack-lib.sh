# Shared by tools/stack-up, tools/stack-down and tools/testing/compose-e2e (sourced).
# Podman's API socket and the healthcheck loop, each tracked by a pid file so
# that only what these scripts started is ever stopped.

ws="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
source "$ws/tools/lib/services.sh"
cache="${FIND_PEERS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/find-peers}"
state="$cache/stack"
# The secure Cassandra's CA, node certificate and role passwords (0700;
# made once by cassandra_secrets, kept across stack-down/stack-up; compose
# mounts them from here).
export CASSANDRA_SECRETS_DIR="$cache/stack-secrets"
socket_path=/run/podman/podman.sock
export DOCKER_HOST="${DOCKER_HOST:-unix://$socket_path}"
project=find-peers
# Where the observability profile's UIs are published (compose.yaml).
export ZIPKIN_PUBLISH="${ZIPKIN_PUBLISH:-127.0.0.1:9411}" PROMETHEUS_PUBLISH="${PROMETHEUS_PUBLISH:-127.0.0.1:9090}"
mkdir -p "$state"
source "$ws/tools/lib/apikeys-lib.sh"

say() { echo "${0##*/}: $*" >&2; }
die() { say "error: $*"; exit 1; }

# compose_files: -f arguments; STACK_CLUSTER=1 adds the 3-node cluster.
compose_files() {
  local f=(-f "$ws/compose.yaml")
  [[ "${STACK_CLUSTER:-0}" == 1 ]] && f+=(-f "$ws/compose.cluster.yaml")
  printf '%s\n' "${f[@]}"
}
compose() {
  local files; mapfile -t files < <(compose_files)
  "$ws/tools/docker-compose" -p "$project" --project-directory "$ws" "${files[@]}" "$@"
}

alive() { local pid; pid="$(cat "$1" 2>/dev/null)" && [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; }

socket_ok() { curl -sf --max-time 2 --unix-socket "$socket_path" http://d/_ping >/dev/null 2>&1; }

start_socket() {
  if socket_ok; then return 0; fi
  mkdir -p "$(dirname "$socket_path")"
  rm -f "$socket_path"
  setsid podman system service --time=0 "unix://$socket_path" >"$state/podman-service.log" 2>&1 </dev/null &
  echo $! >"$state/podman-service.pid"
  for _ in $(seq 100); do socket_ok && return 0; sleep 0.1; done
  die "podman system service did not come up (log: $state/podman-service.log)"
}

stop_socket() {
  if alive "$state/podman-service.pid"; then
    kill "$(cat "$state/podman-service.pid")" 2>/dev/null || true
    for _ in $(seq 50); do alive "$state/podman-service.pid" || break; sleep 0.1; done
  fi
  rm -f "$state/podman-service.pid"
}

start_healthchecks() {
  alive "$state/healthchecks.pid" && return 0
  setsid "$ws/tools/stack-healthchecks" 1 >"$state/healthchecks.log" 2>&1 </dev/null &
  echo $! >"$state/healthchecks.pid"
}

stop_healthchecks() {
  if alive "$state/healthchecks.pid"; then
    # setsid made the loop a process group leader: end it and its children.
    kill -- "-$(cat "$state/healthchecks.pid")" 2>/dev/null || kill "$(cat "$state/healthchecks.pid")" 2>/dev/null || true
  fi
  rm -f "$state/healthchecks.pid"
}

# start_simulator ARGS...: tools/simulate (built with go build) in the
# background against the published gateway, its pid and log in $state; it
# stops by itself (bounded by -duration and -max), or with stop_simulator.
start_simulator() {
  stop_simulator
  (cd "$ws" && go build -o "$cache/bin/simulate" ./tools/simulate) || die "go build ./tools/simulate failed"
  FIND_PEERS_API_KEY="$(cat "$dev_write_token")" \
    setsid "$cache/bin/simulate" -gateway "http://${GATEWAY_PUBLISH:-127.0.0.1:9000}" "$@" \
    >"$state/logs/simulate.log" 2>&1 </dev/null &
  echo $! >"$state/simulate.pid"
}
stop_simulator() {
  alive "$state/simulate.pid" && kill "$(cat "$state/simulate.pid")" 2>/dev/null || true
  rm -f "$state/simulate.pid"
}

# cassandra_secrets makes the secrets (tools/cassandra compose-secrets, built
# with go build) unless they exist; it prints no secret.
cassandra_secrets() {
  (cd "$ws" && go build -o "$cache/bin/cassandra" ./tools/cassandra) || die "go build ./tools/cassandra failed"
  "$cache/bin/cassandra" compose-secrets --dir "$CASSANDRA_SECRETS_DIR"
}

# leftovers prints the project's containers, volumes and networks, if any.
leftovers() {
  podman ps -a --filter "label=com.docker.compose.project=$project" --format 'container {{.Names}}' 2>/dev/null
  podman volume ls --filter "label=com.docker.compose.project=$project" --format 'volume {{.Name}}' 2>/dev/null
  podman network ls --format '{{.Name}}' 2>/dev/null | grep "^${project}_" | sed 's/^/network /'
}

# ---- Steps with durations (tools/lib/steps-lib.sh), logs under $state.
logs="$state/logs"
source "$ws/tools/lib/steps-lib.sh"

# ---- Checks that fail in seconds with the fix.

# preflight BUILD: the gateway's host port is free (or ours), and there is
# disk for what this run still has to make.
preflight() {
  local build="$1" publish="${GATEWAY_PUBLISH:-127.0.0.1:9000}" port users
  port="${publish##*:}"
  users="$(ss -Hltnp "sport = :$port" 2>/dev/null || true)"
  if [[ -n "$users" ]] && [[ -z "$(podman ps -q --filter "name=^${project}-gateway-1\$" --filter status=running)" ]]; then
    echo "$users"
    die "port $port (GATEWAY_PUBLISH=$publish) is already in use by the process above: stop it, or set GATEWAY_PUBLISH=127.0.0.1:<free port>"
  fi
  local need=2 avail groot gavail
  if [[ $build == 1 ]]; then
    [[ -f "$cache/bazel-root-$(cat "$ws/.bazelversion")/.find-peers-ready" ]] || need=$((need + 3))
    [[ -f "$cache/cassandra-image/rootfs-bookworm-jre17/.find-peers-ready" ]] || need=$((need + 1))
  fi
  mkdir -p "$cache"
  avail="$(df -P -BG "$cache" | awk 'NR==2{sub("G","",$4); print $4}')"
  (( avail >= need )) || die "$cache has ${avail} GB free, this run needs about $need GB (FIND_PEERS_CACHE moves it)"
  groot="$(podman info --format '{{.Store.GraphRoot}}')"
  gavail="$(df -P -BG "$groot" | awk 'NR==2{sub("G","",$4); print $4}')"
  (( gavail >= 2 )) || die "podman's storage $groot has ${gavail} GB free, the images need about 2 GB (podman image prune)"
  echo "port $port free, ${avail} GB free for the cache (need ~$need), ${gavail} GB for podman"
}

# check_images [OBS]: the service images, Cassandra's unless CASSANDRA_IMAGE
# names another, and with OBS=1 the observability profile's two.
check_images() {
  local svc img
  for svc in "${SERVICES[@]}"; do
    podman image exists "find-peers/$svc:${IMAGE_TAG:-latest}" || die "image find-peers/$svc:${IMAGE_TAG:-latest} is missing (run without --no-build)"
  done
  if [[ -z "${CASSANDRA_IMAGE:-}" ]]; then
    podman image exists find-peers/cassandra:5.0.9 || die "image find-peers/cassandra:5.0.9 is missing (tools/cassandra-image)"
  fi
  if [[ "${1:-0}" == 1 ]]; then
    for img in "${OBSERVABILITY_IMAGES[@]}"; do
      podman image exists "$img" || die "image $img is missing (tools/observability-images)"
    done
  fi
}

# The observability profile's images (tools/observability-images builds them;
# compose.yaml names the same tags).
OBSERVABILITY_IMAGES=(find-peers/zipkin:3.6.1 find-peers/prometheus:2.42.0)

# preflight_observability: Zipkin's and Prometheus's host ports are free (or
# the stack's own containers have them).
preflight_observability() {
  local svc publish port users
  for svc in zipkin prometheus; do
    publish="$ZIPKIN_PUBLISH"; [[ $svc == prometheus ]] && publish="$PROMETHEUS_PUBLISH"
    port="${publish##*:}"
    users="$(ss -Hltnp "sport = :$port" 2>/dev/null || true)"
    if [[ -n "$users" ]] && [[ -z "$(podman ps -q --filter "name=^${project}-${svc}-1\$" --filter status=running)" ]]; then
      echo "$users"
      die "port $port ($svc) is already in use by the process above: stop it, or set ${svc^^}_PUBLISH=127.0.0.1:<free port>"
    fi
  done
  echo "ports ${ZIPKIN_PUBLISH##*:} (zipkin) and ${PROMETHEUS_PUBLISH##*:} (prometheus) free"
}

# dns_failing: some container of the stack logged a name lookup failure
# ("no such host") in its latest lines.
dns_failing() {
  local c
  for c in $(podman ps -a --filter "label=com.docker.compose.project=$project" --format '{{.Names}}' 2>/dev/null); do
    podman logs --tail 5 "$c" 2>&1 | grep -q 'no such host' && { echo "$c"; return 0; }
  done
  return 1
}

# compose_up_watched: `compose up --wait`, stopped early when a container
# cannot resolve a name for STACK_DNS_GRACE seconds (services retry for
# minutes; this says what is wrong in 30 s).
compose_up_watched() {
  local grace="${STACK_DNS_GRACE:-30}" first="" who rc=0 pid mode=()
  if stack_current; then
    mode=(--no-recreate)
    echo "every container is current (same configuration and image): up --no-recreate"
  fi
  compose up -d --wait --wait-timeout "${STACK_WAIT_TIMEOUT:-600}" --remove-orphans "${mode[@]}" &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 3
    if who="$(crash_looping)"; then
      kill "$pid" 2>/dev/null || true
      echo "--- logs of $who (last 15 lines)"
      podman logs --tail 15 "$who" 2>&1
      die "container $who keeps failing (restarted ${STACK_RESTART_LIMIT:-3}+ times): its log is above (tools/stack-down cleans up)"
    fi
    if who="$(dns_failing)"; then
      [[ -n "$first" ]] || first=$SECONDS
      if (( SECONDS - first >= grace )); then
        kill "$pid" 2>/dev/null || true
        podman logs --tail 5 "$who" 2>&1
        die "container $who has not resolved names for ${grace} s: container DNS is broken (tools/podman-dns-check tells why; tools/podman-setup fixes a missing package)"
      fi
    else
      first=""
    fi
  done
  wait "$pid" || rc=$?
  if [[ $rc != 0 ]]; then
    compose ps -a || true
    for s in cassandra cassandra-init beacon-seed tracking-seed "${SERVICES[@]}"; do
      echo "--- logs $s"; compose logs --no-color --tail 8 "$s" 2>&1 || true
    done
    die "the stack did not become healthy (tools/stack-down cleans up)"
  fi
}

# crash_looping prints the first container of the project that has been
# restarted STACK_RESTART_LIMIT (3) times or more: a service that exits at
# once (bad configuration, a permission) would otherwise be restarted until
# the wait times out, minutes later.
crash_looping() {
  local limit="${STACK_RESTART_LIMIT:-3}" name count
  while read -r name count; do
    if [[ "$count" =~ ^[0-9]+$ ]] && (( count >= limit )); then
      echo "$name"; return 0
    fi
  done < <(podman ps -aq --filter "label=com.docker.compose.project=$project" 2>/dev/null \
             | xargs -r podman inspect --format '{{.Name}} {{.RestartCount}}' 2>/dev/null)
  return 1
}

# stack_current: every service of the compose files has a container that
# compose made from the same configuration (its config-hash label) and the
# image its tag names now, running or (one-shot jobs) exited 0. Podman 4.3's
# Docker API reports a container's network by name where compose expects the
# network's id, so a plain `up` recreates every container on every run (a
# Cassandra restart); when the stack is current, tools/stack-up passes
# --no-recreate instead.
stack_current() {
  local svc hash c got
  while read -r svc hash; do
    c="${project}-${svc}-1"
    got="$(podman inspect --format '{{index .Config.Labels "com.docker.compose.config-hash"}} {{.Image}} {{.ImageName}} {{.State.Status}} {{.State.ExitCode}}' "$c" 2>/dev/null)" || return 1
    local lhash img name status code
    read -r lhash img name status code <<<"$got"
    [[ "$lhash" == "$hash" ]] || return 1
    [[ "$(podman image inspect --format '{{.Id}}' "$name" 2>/dev/null)" == "$img" ]] || return 1
    [[ "$status" == running || ( "$status" == exited && "$code" == 0 ) ]] || return 1
  done < <(compose config --hash '*')
}
