#!/usr/bin/env bash
# pki.sh - the test cluster's certificates and kubeconfigs, made once per run dir with openssl
# (docs/deploy/test-cluster.md): a CA, the API server's serving cert, the kubelet's serving and
# client certs, the API server's kubelet-client cert, kubeconfigs for admin, controller-manager,
# scheduler, kube-proxy and kubelet, and the service-account signing key pair.
#
# Usage: scripts/k8s/pki.sh     (as TODO_K8S_NAME / TODO_K8S_RUN say; see lib.sh)
# Writes <run dir>/pki/ if it is not complete yet; prints nothing. Every key is EC P-256.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pki=$k8s_run/pki
days=3650

new_key() {
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$pki/$1.key" 2>/dev/null
}

make_ca() {
    new_key ca
    openssl req -x509 -new -key "$pki/ca.key" -subj "/CN=todo-k8s-ca-$k8s_name" -days "$days" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" -out "$pki/ca.crt"
}

# sign NAME SUBJECT USAGE [SANS]: NAME.key and NAME.crt signed by the CA
sign() {
    local name=$1 subj=$2 usage=$3 sans=${4:-} ext
    new_key "$name"
    ext="basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=$usage"
    [[ -n $sans ]] && ext+=$'\n'"subjectAltName=$sans"
    openssl req -new -key "$pki/$name.key" -subj "$subj" -out "$pki/$name.csr"
    openssl x509 -req -in "$pki/$name.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" \
        -CAcreateserial -days "$days" -extfile <(echo "$ext") -out "$pki/$name.crt" 2>/dev/null
    rm -f "$pki/$name.csr"
}

# kubeconfig NAME: NAME.kubeconfig for the client cert NAME.crt, certs embedded
kubeconfig() {
    local name=$1
    cat >"$pki/$name.kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters:
- name: $k8s_name
  cluster:
    server: $k8s_api
    certificate-authority-data: $(base64 -w0 <"$pki/ca.crt")
users:
- name: $name
  user:
    client-certificate-data: $(base64 -w0 <"$pki/$name.crt")
    client-key-data: $(base64 -w0 <"$pki/$name.key")
contexts:
- name: $k8s_name
  context: {cluster: $k8s_name, user: $name}
current-context: $k8s_name
KC
}

make_all() {
    local api_sans="IP:10.96.0.1,IP:$k8s_ip,IP:127.0.0.1,DNS:kubernetes,DNS:kubernetes.default"
    api_sans+=",DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost"
    make_ca
    sign apiserver /CN=kube-apiserver serverAuth "$api_sans"
    sign apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" clientAuth
    sign kubelet-serving "/CN=$k8s_node" serverAuth "IP:$k8s_ip,DNS:$k8s_node"
    sign kubelet "/O=system:nodes/CN=system:node:$k8s_node" clientAuth
    sign admin "/O=system:masters/CN=todo-admin" clientAuth
    sign controller-manager /CN=system:kube-controller-manager clientAuth
    sign scheduler /CN=system:kube-scheduler clientAuth
    sign kube-proxy /CN=system:kube-proxy clientAuth
    for k in kubelet admin controller-manager scheduler kube-proxy; do kubeconfig "$k"; done
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$pki/sa.key" 2>/dev/null
    openssl pkey -in "$pki/sa.key" -pubout -out "$pki/sa.pub"
}

k8s_check_name
command -v openssl >/dev/null || k8s_die "openssl is required"
# made for this cluster name already (the node's certs carry it)
[[ -f $pki/.complete && $(<"$pki/.complete") == "$k8s_name" ]] && exit 0
rm -rf "$pki"
mkdir -p "$pki"
chmod 700 "$pki"
make_all
echo "$k8s_name" >"$pki/.complete"
