#!/usr/bin/env bash
# The local cluster's certificates (tools/k8s-up), made once with openssl:
#
#   pki.sh DIR NODE_IP NODE_NAME SERVICE_IP
#
# One CA signs the API server's serving certificate, a client certificate
# for each component and the admin, and the kubelet's serving certificate;
# a key pair signs service-account tokens. ECDSA P-256 keys: quick to make,
# accepted everywhere in Kubernetes. Each component gets a kubeconfig.
# Nothing is made again when the CA exists.
set -euo pipefail
dir="$1" node_ip="$2" node="$3" svc_ip="$4"
mkdir -p "$dir"
cd "$dir"
[[ -f ca.crt ]] && exit 0
umask 077

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }
key ca
openssl req -x509 -new -key ca.key -out ca.crt -days 365 -subj "/CN=find-peers-k8s-ca" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature"

# cert NAME SUBJECT EXTENSIONS: a key and a certificate signed by the CA.
cert() {
  key "$1"
  openssl req -new -key "$1.key" -out "$1.csr" -subj "$2"
  printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" "$3" >"$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$1.crt" -days 365 -extfile "$1.ext" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}
cert apiserver /CN=kube-apiserver "extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,IP:$node_ip,IP:$svc_ip,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
cert admin /O=system:masters/CN=admin extendedKeyUsage=clientAuth
cert apiserver-kubelet-client /O=system:masters/CN=kube-apiserver-kubelet-client extendedKeyUsage=clientAuth
cert controller-manager /CN=system:kube-controller-manager extendedKeyUsage=clientAuth
cert scheduler /CN=system:kube-scheduler extendedKeyUsage=clientAuth
cert kube-proxy /CN=system:kube-proxy extendedKeyUsage=clientAuth
cert kubelet "/O=system:nodes/CN=system:node:$node" extendedKeyUsage=clientAuth
cert kubelet-serving "/CN=$node" "extendedKeyUsage=serverAuth
subjectAltName=IP:$node_ip,IP:127.0.0.1,DNS:$node"
key sa
openssl pkey -in sa.key -pubout -out sa.pub

for user in admin controller-manager scheduler kubelet kube-proxy; do
  cat >"$user.kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters:
  - name: find-peers
    cluster: {certificate-authority: $dir/ca.crt, server: "https://$node_ip:6443"}
users:
  - name: $user
    user: {client-certificate: $dir/$user.crt, client-key: $dir/$user.key}
contexts:
  - name: find-peers
    context: {cluster: find-peers, user: $user}
current-context: find-peers
KC
done
