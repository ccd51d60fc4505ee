#!/usr/bin/env bash
# Starts the local cluster (called by tools/k8s-up, which has built BIN and the
# helpers): the network namespace, the PKI, etcd, the registry with the pause
# and CoreDNS images, containerd, the control plane, the kubelet, kube-proxy,
# the storage class and volumes, and CoreDNS. Prints when each is ready.
#
#   start.sh BIN
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../lib/k8s-lib.sh"
bin="$1"
here="$ws/tools/k8s/cluster"
k8s_t0="${k8s_t0:-$EPOCHREALTIME}"
s="$k8s_state"
mkdir -p "$s"/{pids,log/pods,etcd,registry,containerd/certs.d,cni/net.d,cni/ipam,kubelet,volumes}

# fill TEMPLATE OUT: the template with @NAME@ placeholders filled in.
fill() {
  sed -e "s#@STATE@#$s#g; s#@PKI@#$k8s_pki#g; s#@NODE_IP@#$k8s_node_ip#g; s#@NODE@#$k8s_node#g" \
      -e "s#@POD_CIDR@#$k8s_pod_cidr#g; s#@DNS_IP@#$k8s_dns_ip#g; s#@PAUSE@#${pause:-}#g; s#@COREDNS@#${coredns:-}#g" \
      "$here/$1" >"$2"
}

# --- the namespace: lo, and the node address on a bridge without ports that
# is also the default route (a local address; anything routed out is dropped).
if [[ ! -e "/run/netns/$k8s_netns" ]]; then
  ip netns add "$k8s_netns"
  ip -n "$k8s_netns" link set lo up
  ip -n "$k8s_netns" link add node0 type bridge
  ip -n "$k8s_netns" addr add "$k8s_node_ip/24" dev node0
  ip -n "$k8s_netns" link set node0 up
  ip -n "$k8s_netns" route add default dev node0
fi
# Forwarding and bridge netfilter are per network namespace on current kernels.
[[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]] || modprobe br_netfilter 2>/dev/null \
  || die "no net.bridge.bridge-nf-call-iptables (load the br_netfilter module)"
in_netns sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1 net.bridge.bridge-nf-call-ip6tables=1
# The kubelet sets these host-wide; tools/k8s-down puts them back.
[[ -f "$s/sysctl.saved" ]] || sysctl kernel.panic kernel.panic_on_oops vm.overcommit_memory vm.panic_on_oom \
  kernel.keys.root_maxkeys kernel.keys.root_maxbytes | sed 's/ //g' >"$s/sysctl.saved"

"$here/pki.sh" "$k8s_pki" "$k8s_node_ip" "$k8s_node" "${k8s_svc_cidr%.0/24}.1"

start etcd "$bin/etcd" --name "$k8s_node" --data-dir "$s/etcd" \
  --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
  --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
  --initial-cluster "$k8s_node=http://127.0.0.1:2380" --listen-metrics-urls http://127.0.0.1:2381 \
  --quota-backend-bytes 2147483648 --snapshot-count 10000
start registry "$k8s_tools/registry" --addr "$k8s_registry" --dir "$s/registry"

# --- the cluster's own images, by digest, into its registry.
wait_for registry 30 in_netns curl -sf "http://$k8s_registry/v2/"
pause="$(in_netns "$k8s_tools/pushimage" --binary "$k8s_tools/pause" --repo "$k8s_registry/k8s/pause" --tag 1 2>>"$s/log/pushimage.log")"
coredns="$(in_netns "$k8s_tools/pushimage" --binary "$bin/coredns" --repo "$k8s_registry/k8s/coredns" --tag v1.15.0 2>>"$s/log/pushimage.log")"
say "images: $pause, $coredns"

# --- containerd, pulling from the registry over plain HTTP.
mkdir -p "$s/containerd/certs.d/$k8s_registry"
printf 'server = "http://%s"\n[host."http://%s"]\n  capabilities = ["pull", "resolve"]\n' "$k8s_registry" "$k8s_registry" \
  >"$s/containerd/certs.d/$k8s_registry/hosts.toml"
fill containerd.toml "$s/containerd/config.toml"
fill cni.conflist "$s/cni/net.d/10-find-peers.conflist"
start containerd /usr/bin/containerd --config "$s/containerd/config.toml"
wait_for etcd 60 in_netns curl -sf http://127.0.0.1:2379/health

start kube-apiserver "$bin/kube-apiserver" \
  --etcd-servers=http://127.0.0.1:2379 --advertise-address="$k8s_node_ip" --bind-address=0.0.0.0 --secure-port=6443 \
  --service-cluster-ip-range="$k8s_svc_cidr" --allow-privileged=false \
  --client-ca-file="$k8s_pki/ca.crt" --tls-cert-file="$k8s_pki/apiserver.crt" --tls-private-key-file="$k8s_pki/apiserver.key" \
  --kubelet-client-certificate="$k8s_pki/apiserver-kubelet-client.crt" --kubelet-client-key="$k8s_pki/apiserver-kubelet-client.key" \
  --kubelet-preferred-address-types=InternalIP \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$k8s_pki/sa.pub" --service-account-signing-key-file="$k8s_pki/sa.key" \
  --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction --profiling=false --v=1
wait_for containerd 60 in_netns ctr --address "$s/containerd/containerd.sock" version
wait_for kube-apiserver 90 in_netns curl -sf --cacert "$k8s_pki/ca.crt" "https://$k8s_node_ip:6443/readyz"

start kube-controller-manager "$bin/kube-controller-manager" --kubeconfig="$k8s_pki/controller-manager.kubeconfig" \
  --authentication-kubeconfig="$k8s_pki/controller-manager.kubeconfig" --authorization-kubeconfig="$k8s_pki/controller-manager.kubeconfig" \
  --bind-address=127.0.0.1 --leader-elect=false --use-service-account-credentials=true \
  --service-account-private-key-file="$k8s_pki/sa.key" --root-ca-file="$k8s_pki/ca.crt" \
  --cluster-signing-cert-file="$k8s_pki/ca.crt" --cluster-signing-key-file="$k8s_pki/ca.key" \
  --allocate-node-cidrs=true --cluster-cidr=10.244.0.0/16 --node-cidr-mask-size=24 --service-cluster-ip-range="$k8s_svc_cidr" \
  --controllers='*,-cloud-node-lifecycle-controller' --profiling=false --v=1
start kube-scheduler "$bin/kube-scheduler" --kubeconfig="$k8s_pki/scheduler.kubeconfig" \
  --authentication-kubeconfig="$k8s_pki/scheduler.kubeconfig" --authorization-kubeconfig="$k8s_pki/scheduler.kubeconfig" \
  --bind-address=127.0.0.1 --leader-elect=false --profiling=false --v=1

fill kubelet.yaml "$s/kubelet/config.yaml"
printf 'search cluster.local\noptions ndots:1\n' >"$s/kubelet/resolv.conf"
start kubelet "$bin/kubelet" --config="$s/kubelet/config.yaml" --kubeconfig="$k8s_pki/kubelet.kubeconfig" \
  --root-dir="$s/kubelet" --hostname-override="$k8s_node" --node-ip="$k8s_node_ip" --v=1
fill kube-proxy.yaml "$s/kube-proxy.yaml"
start kube-proxy "$bin/kube-proxy" --config="$s/kube-proxy.yaml" --v=1
node_ready() { [[ "$(kc get node "$k8s_node" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" == True ]]; }
wait_for "node $k8s_node" 120 node_ready

# --- storage: a default class and hostPath volumes owned by the Cassandra
# image's user (999; hostPath ignores fsGroup), one per Cassandra node.
pvs=3
{
  fill storage.yaml /dev/stdout | sed "s#@PVS@#$pvs#g"
  for i in $(seq 0 $((pvs - 1))); do
    mkdir -p "$s/volumes/pv-$i" && chown 999:999 "$s/volumes/pv-$i" && chmod 0750 "$s/volumes/pv-$i"
    printf -- '---\napiVersion: v1\nkind: PersistentVolume\nmetadata: {name: local-%s}\nspec:\n  capacity: {storage: 5Gi}\n  accessModes: [ReadWriteOnce]\n  storageClassName: local\n  persistentVolumeReclaimPolicy: Retain\n  hostPath: {path: %s, type: Directory}\n' \
      "$i" "$s/volumes/pv-$i"
  done
} | kc apply -f - >/dev/null
fill coredns.yaml "$s/coredns.yaml"
kc apply -f "$s/coredns.yaml" >/dev/null
wait_for CoreDNS 120 kc -n kube-system rollout status deploy/coredns --timeout=5s
