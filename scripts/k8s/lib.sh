# lib.sh - names and helpers shared by the test cluster's scripts (cluster.sh, pki.sh, kubectl,
# helm, in-ns, with-cluster.sh); sourced, never run. See docs/deploy/test-cluster.md.
#
# Environment: TODO_K8S_NAME (default todo-k8s) names the cluster: its network namespace
# /run/netns/<name>, its cgroup /k8s.<name> and its run dir TODO_K8S_RUN (default
# <repo>/.k8s/<name>). Clusters under different names run side by side.

k8s_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
k8s_name=${TODO_K8S_NAME:-todo-k8s}
k8s_run=${TODO_K8S_RUN:-$k8s_repo/.k8s/$k8s_name}
k8s_netns=/run/netns/$k8s_name
k8s_sock=$k8s_run/containerd/containerd.sock
k8s_kubeconfig=$k8s_run/pki/admin.kubeconfig
k8s_node=$k8s_name
k8s_cgroup_root=/k8s.$k8s_name
k8s_ip=10.244.0.1
k8s_api=https://$k8s_ip:6443

k8s_log() { echo "${0##*/}: $*" >&2; }
k8s_die() {
    k8s_log "$*"
    exit 1
}

k8s_check_name() {
    [[ $k8s_name =~ ^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$ ]] ||
        k8s_die "TODO_K8S_NAME '$k8s_name' must be 1-40 of [A-Za-z0-9_.-]"
}

# k8s_bin TOOL: path of a Go-built tool in the machine-wide cache (scripts/k8s/gobuild.sh)
k8s_bin() { "$k8s_repo/scripts/k8s/gobuild.sh" path "$1"; }

# k8s_in CMD...: runs CMD in the cluster's network namespace only (nsenter --net keeps the host's
# mount namespace, so kubelet sees the cgroup mounts and containerd sees kubelet's volume mounts)
k8s_in() {
    [[ -e $k8s_netns ]] || k8s_die "cluster '$k8s_name' is not up (no $k8s_netns)"
    nsenter --net="$k8s_netns" "$@"
}

# k8s_exec_in CMD...: replaces this shell by CMD in the cluster's network namespace (so a signal
# to the caller's PID reaches CMD)
k8s_exec_in() {
    [[ -e $k8s_netns ]] || k8s_die "cluster '$k8s_name' is not up (no $k8s_netns)"
    exec nsenter --net="$k8s_netns" "$@"
}

# k8s_client_env: environment for clients (kubectl, helm, tests) of this cluster
k8s_client_env() {
    export KUBECONFIG=$k8s_kubeconfig TODO_K8S_SOCK=$k8s_sock TODO_K8S_NETNS=$k8s_netns
    export TODO_K8S_NAME=$k8s_name TODO_K8S_RUN=$k8s_run
    local helm_home=$k8s_run/helm
    export HELM_CACHE_HOME=${HELM_CACHE_HOME:-$helm_home/cache}
    export HELM_CONFIG_HOME=${HELM_CONFIG_HOME:-$helm_home/config}
    export HELM_DATA_HOME=${HELM_DATA_HOME:-$helm_home/data}
}

# k8s_wait DEADLINE_S WHAT CMD...: polls CMD until it succeeds; false after DEADLINE_S seconds
k8s_wait() {
    local deadline=$((SECONDS + $1)) what=$2
    shift 2
    until "$@" >/dev/null 2>&1; do
        if ((SECONDS >= deadline)); then
            k8s_log "timed out waiting for $what"
            return 1
        fi
        sleep 0.2
    done
}
