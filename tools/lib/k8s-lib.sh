# Shared by tools/k8s-up, tools/k8s-down, tools/k8s-deploy, tools/kubectl
# and tools/k8s-e2e (sourced): where the local cluster lives and how to reach
# it.
#
# The whole cluster (control plane, kubelet, containerd, pods, its registry)
# lives in the network namespace $k8s_netns. Its node address sits on a bridge
# with no ports, which is also the default route: nothing in there can reach
# the host's network or beyond. Two host-side doors, both on 127.0.0.1 and
# both made with socat, are opened by tools/k8s-up: the registry (so that the
# host can push images) and, after --deploy, the gateway.

ws="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
cache="${FIND_PEERS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/find-peers}"
k8s_state="$cache/k8s/cluster"              # runtime state; tools/k8s-down --wipe removes it
k8s_netns=find-peers-k8s
k8s_node=find-peers-node
k8s_node_ip=10.255.0.1
k8s_pod_cidr=10.244.0.0/24
k8s_svc_cidr=10.96.0.0/24
k8s_dns_ip=10.96.0.10
# The registry has the same address inside the namespace and on the host, so
# an image reference means the same thing on both sides.
k8s_registry="127.0.0.1:${K8S_REGISTRY_PORT:-32000}"
k8s_gateway_publish="${K8S_GATEWAY_PUBLISH:-127.0.0.1:9080}"
k8s_pki="$k8s_state/pki"
k8s_tools="$cache/k8s/tools"                # registry, pushimage, pause: go build from this workspace

say() { echo "${0##*/}: $*" >&2; }
die() { say "error: $*"; exit 1; }

# in_netns CMD...: run CMD in the cluster's network namespace. nsenter, not
# `ip netns exec`: that also makes a private mount namespace, and kubelet and
# containerd must see each other's mounts.
in_netns() { nsenter --net="/run/netns/$k8s_netns" -- "$@"; }

k8s_bin() { "$ws/tools/k8s-build" --check 2>/dev/null; }

# kc ARGS...: kubectl in the namespace with the cluster's admin credentials.
kc() {
  local bin
  bin="$(k8s_bin)" || die "the Kubernetes binaries are not built (tools/k8s-build)"
  in_netns "$bin/kubectl" --kubeconfig "$k8s_pki/admin.kubeconfig" "$@"
}

# pid_alive NAME: the process tools/k8s-up recorded as NAME still runs.
pid_alive() {
  local p
  p="$(cat "$k8s_state/pids/$1.pid" 2>/dev/null)" && [[ -n "$p" ]] && kill -0 "$p" 2>/dev/null
}

cluster_up() { [[ -e "/run/netns/$k8s_netns" ]] && pid_alive kube-apiserver && pid_alive kubelet; }

source "$ws/tools/lib/steps-lib.sh"
# elapsed: seconds since $k8s_t0 (set by the caller), with one decimal.
elapsed() { secs_since "$k8s_t0"; }

# start NAME CMD...: run CMD in the namespace, detached, its output in
# $k8s_state/log/NAME.log and its pid in $k8s_state/pids/NAME.pid. nsenter
# and setsid exec in place, so the pid is the command's own.
start() {
  local n="$1"; shift
  mkdir -p "$k8s_state/log" "$k8s_state/pids"
  setsid nsenter --net="/run/netns/$k8s_netns" -- "$@" >"$k8s_state/log/$n.log" 2>&1 </dev/null &
  echo $! >"$k8s_state/pids/$n.pid"
}

# stop NAME: TERM the recorded process, KILL it after 10 s.
stop() {
  local f="$k8s_state/pids/$1.pid" p i
  [[ -f "$f" ]] || return 0
  p="$(cat "$f")"
  if [[ -n "$p" ]] && kill -0 "$p" 2>/dev/null; then
    kill "$p" 2>/dev/null || true
    for i in $(seq 40); do kill -0 "$p" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$p" 2>/dev/null || true
  fi
  rm -f "$f"
}

# wait_for WHAT SECONDS CMD...: poll CMD every 0.5 s; print when it passed.
wait_for() {
  local what="$1" limit="$2" t; shift 2
  t="$(date +%s)"
  until "$@" >/dev/null 2>&1; do
    (($(date +%s) - t < limit)) || { say "timed out after ${limit} s waiting for $what"; return 1; }
    sleep 0.5
  done
  say "$what ready (+$(elapsed) s)"
}

# start_door NAME LISTEN TARGET: a host-side socat on LISTEN (127.0.0.1:PORT)
# that carries each connection to TARGET inside the namespace.
start_door() {
  local n="$1" listen="$2" target="$3"
  [[ "$listen" == 127.0.0.1:* ]] || die "$n: listen address $listen must be on 127.0.0.1"
  if ss -Hltn "sport = :${listen##*:}" | grep -q .; then
    die "$n: $listen is taken by another program (set K8S_REGISTRY_PORT / K8S_GATEWAY_PUBLISH)"
  fi
  mkdir -p "$k8s_state/log" "$k8s_state/pids" "$k8s_state/doors"
  # The far side as a script: socat's address syntax would split TCP:HOST:PORT.
  printf '#!/bin/sh\nexec nsenter --net=/run/netns/%s -- socat STDIO TCP:%s\n' "$k8s_netns" "$target" >"$k8s_state/doors/$n"
  chmod +x "$k8s_state/doors/$n"
  setsid socat "TCP-LISTEN:${listen##*:},bind=127.0.0.1,reuseaddr,fork" "EXEC:$k8s_state/doors/$n" \
    >"$k8s_state/log/$n.log" 2>&1 </dev/null &
  echo $! >"$k8s_state/pids/$n.pid"
  wait_for "$n $listen -> $target" 10 bash -c "ss -Hltn 'sport = :${listen##*:}' | grep -q ."
}

# gateway_addr: the gateway Service's cluster IP:port inside the namespace.
gateway_addr() { kc -n find-peers get svc gateway -o jsonpath='{.spec.clusterIP}:{.spec.ports[0].port}'; }
