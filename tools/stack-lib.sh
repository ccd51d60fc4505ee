# Shared by tools/stack-up, tools/stack-down and tools/compose-e2e (sourced).
# Podman's API socket and the healthcheck loop, each tracked by a pid file so
# that only what these scripts started is ever stopped.

ws="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cache="${FIND_PEERS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/find-peers}"
state="$cache/stack"
socket_path=/run/podman/podman.sock
export DOCKER_HOST="${DOCKER_HOST:-unix://$socket_path}"
project=find-peers
mkdir -p "$state"

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

# leftovers prints the project's containers, volumes and networks, if any.
leftovers() {
  podman ps -a --filter "label=com.docker.compose.project=$project" --format 'container {{.Names}}' 2>/dev/null
  podman volume ls --filter "label=com.docker.compose.project=$project" --format 'volume {{.Name}}' 2>/dev/null
  podman network ls --format '{{.Name}}' 2>/dev/null | grep "^${project}_" | sed 's/^/network /'
}
