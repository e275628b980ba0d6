#!/usr/bin/env bash
# cluster.sh - the project's single-node Kubernetes test cluster (docs/deploy/test-cluster.md,
# docs/decisions/0044-test-cluster.md). Every daemon (containerd, etcd, kube-apiserver,
# controller-manager, scheduler, kubelet, kube-proxy) runs inside the network namespace
# /run/netns/<name>, so pod and service addresses and kube-proxy's iptables rules exist only
# there; the node has no uplink, so nothing in the cluster reaches outside this machine.
#
# Usage: scripts/k8s/cluster.sh up        builds what is missing (Go tools, pause and CoreDNS
#                                         images), starts the cluster and returns once the node
#                                         is Ready, CoreDNS Available and answering at
#                                         10.96.0.10, and the default ServiceAccount exists; on
#                                         failure prints the failing daemon's log tail, tears
#                                         down and exits non-zero
#        scripts/k8s/cluster.sh down      stops and removes everything `up` made (also after a
#                                         crashed or half-started up); idempotent
#        scripts/k8s/cluster.sh status    daemons and node; exit 0 when up and healthy
#        scripts/k8s/cluster.sh env       prints `export KUBECONFIG=… TODO_K8S_SOCK=… …`
#        scripts/k8s/cluster.sh images    builds the pause and CoreDNS images only
#        scripts/k8s/cluster.sh selftest  up, checks, down, host-clean check
#                                         (tests/k8s/cluster/selftest.sh)
#
# Environment: TODO_K8S_NAME, TODO_K8S_RUN (lib.sh), TODO_K8S_CACHE (gobuild.sh, image.sh),
# TODO_K8S_KEEP_ON_FAIL=1 leaves a failed `up` running for inspection. Needs root.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

k8s_cache=${TODO_K8S_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/todo-k8s}
cluster_dir=$k8s_repo/deploy/cluster
host_state=/run/todo-k8s
cluster_locked=
k8s_tools=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl coredns)
host_sysctls=(vm.overcommit_memory kernel.panic kernel.panic_on_oops)
# host directories kubelet or containerd create whatever their configuration says
host_dirs=(/var/lib/kubelet /var/log/containers /var/log/pods /run/containerd /etc/cni
    /var/lib/containers /run/netns)

. "$k8s_repo/scripts/k8s/cluster-images.sh"
. "$k8s_repo/scripts/k8s/cluster-host.sh"
. "$k8s_repo/scripts/k8s/cluster-up.sh"
. "$k8s_repo/scripts/k8s/cluster-down.sh"

cmd_env() {
    echo "export KUBECONFIG=$k8s_kubeconfig TODO_K8S_SOCK=$k8s_sock TODO_K8S_NETNS=$k8s_netns" \
        "TODO_K8S_NAME=$k8s_name TODO_K8S_RUN=$k8s_run"
}

cmd_status() {
    local name pid rc=0
    echo "cluster $k8s_name: run dir $k8s_run, netns $k8s_netns"
    if [[ ! -e $k8s_netns || ! -f $k8s_run/pids ]]; then
        echo "not up"
        return 3
    fi
    while read -r name pid; do
        if kill -0 "$pid" 2>/dev/null; then echo "  $name $pid running"; else
            echo "  $name $pid DEAD (log: $k8s_run/logs/$name.log)"
            rc=1
        fi
    done <"$k8s_run/pids"
    KUBECONFIG=$k8s_kubeconfig k8s_in "$(k8s_bin kubectl)" get nodes,pods -A -o wide || rc=1
    return "$rc"
}

# cluster_lock WAIT_S: one up or down of this cluster at a time (held until exit; a failing up
# runs down under the same lock)
cluster_lock() {
    [[ -n ${cluster_locked:-} ]] && return 0
    mkdir -p "$k8s_run"
    exec 6>"$k8s_run/.lock"
    flock -w "$1" 6 || k8s_die "another up or down of cluster '$k8s_name' is running"
    cluster_locked=1
}

need_root() { [[ $(id -u) == 0 ]] || k8s_die "must run as root (network namespace, mounts)"; }

[[ $# -eq 1 ]] || k8s_die "usage: cluster.sh up|down|status|env|images|selftest"
k8s_check_name
case $1 in
    up) need_root && cluster_lock 0 && cmd_up ;;
    down) need_root && cluster_lock 300 && cmd_down ;;
    status) cmd_status ;;
    env) cmd_env ;;
    images) cmd_images ;;
    selftest) need_root && exec "$k8s_repo/tests/k8s/cluster/selftest.sh" ;;
    *) k8s_die "unknown command '$1' (up|down|status|env|images|selftest)" ;;
esac
