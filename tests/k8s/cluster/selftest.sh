#!/usr/bin/env bash
# selftest.sh - proves the test cluster's bring-up and tear-down (docs/deploy/test-cluster.md):
#   0. the bookkeeping of host state shared by clusters (host-state.sh, no cluster needed);
#   1. `down` of a cluster that is not up succeeds (with or without /run/netns);
#      a failing `up` (etcd replaced by one that exits) names the step, shows the daemon's log
#      tail, exits non-zero and leaves nothing behind;
#   2. `up` gives a Ready node, CoreDNS Available and the default ServiceAccount;
#   3. a pod (busybox httpd, an image built here from Debian's busybox-static) resolves a Service
#      name through CoreDNS, reaches a ClusterIP from inside the pod, and the ClusterIP is
#      reachable from the cluster's network namespace; kubectl exec and logs work;
#   4. after a simulated crash (kubelet, containerd and kube-apiserver SIGKILLed, containers and
#      shims left running) `down` removes everything: no process, mount, netns or cgroup of the
#      cluster, host sysctls and directories as before, no KUBE-* iptables rule on the host;
#   5. with-cluster.sh returns its command's status, and on SIGTERM stops the command and tears
#      the cluster down at once.
# Prints one line per check and the timings; exits non-zero if any check failed.
#
# Usage: tests/k8s/cluster/selftest.sh     (or scripts/k8s/cluster.sh selftest); needs root.
# Environment: TODO_K8S_NAME (default todo-k8s; must not be up already), TODO_K8S_RUN.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../../scripts/k8s/lib.sh"

cluster=$k8s_repo/scripts/k8s/cluster.sh
kctl=$k8s_repo/scripts/k8s/kubectl
probe_ref=localhost/todo-k8s-probe:1
n_failed=0

check() {
    local what=$1
    shift
    if "$@" >/dev/null; then echo "ok   $what"; else
        echo "FAIL $what"
        n_failed=$((n_failed + 1))
    fi
}

# host_snapshot: what a cluster may change on the host and must give back; the sysctls and
# directories are shared by every cluster on the machine and restored by the last one down,
# so they are compared only when no other cluster ran during the test
host_snapshot() {
    echo "host KUBE rules: $( (iptables-save; ip6tables-save) 2>/dev/null | grep -c KUBE- || true)"
    sysctl vm.overcommit_memory kernel.panic kernel.panic_on_oops
    local d
    for d in /var/lib/kubelet /var/log/containers /var/log/pods /run/containerd /run/todo-k8s; do
        [[ -e $d ]] && echo "exists $d"
    done
    return 0
}

# other_clusters: live clusters of other names (registered by scripts/k8s/cluster-host.sh)
other_clusters() {
    local f
    for f in /run/todo-k8s/clusters/*; do
        [[ -e $f && ${f##*/} != "$k8s_name" && -e /run/netns/${f##*/} ]] && echo "${f##*/}"
    done
    return 0
}

build_probe() {
    local ctx key
    ctx=$(mktemp -d)
    cp "$(command -v busybox)" "$here/index.html" "$ctx/"
    key=$(cat "$ctx/busybox" "$here/index.html" "$here/probe.Containerfile" | sha256sum | cut -d' ' -f1)
    "$k8s_repo/scripts/k8s/image.sh" build "$probe_ref" "$key" "$ctx" "$here/probe.Containerfile"
    rm -rf "$ctx"
}

. "$here/selftest-checks.sh"

[[ $(id -u) == 0 ]] || k8s_die "must run as root"
[[ ! -e $k8s_netns ]] || k8s_die "cluster '$k8s_name' is already up; pick another TODO_K8S_NAME"
command -v busybox >/dev/null || k8s_die "busybox is required (busybox-static)"
trap '"$cluster" down >/dev/null 2>&1 || true' EXIT
"$here/host-state.sh" || n_failed=$((n_failed + 1))
baseline=$(host_snapshot)
others_at_start=$(other_clusters | xargs)
build_probe
test_down_not_up
test_failed_up
test_up
test_workload
test_crash_down
test_with_cluster
echo "timings: $timings"
((n_failed == 0)) || { echo "$n_failed check(s) failed"; exit 1; }
echo "all checks passed"
