#!/usr/bin/env bash
# host-state.sh - checks scripts/k8s/cluster-host.sh's bookkeeping of the host state several
# clusters share (the sysctls kubelet sets, the host directories it creates), without a cluster:
# sysctl, the namespaces and the directories are stand-ins in a temporary directory.
#   - two clusters: the first down leaves the host changed (the other still runs), the last one
#     gives back the sysctls and removes only the directories that did not exist before;
#   - a cluster that crashed without `down`: the next cluster does not take its changes for the
#     host's own values, and its `down` gives back the values from before the crash.
# Usage: tests/k8s/cluster/host-state.sh   (no root needed; run by the cluster self-test too)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../../scripts/k8s/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
host_state=$tmp/state
netns_dir=$tmp/netns
fake_sysctl=$tmp/sysctl
host_sysctls=(vm.overcommit_memory kernel.panic)
host_dirs=("$tmp/kubelet-dir" "$tmp/present-dir")
mkdir -p "$netns_dir" "$fake_sysctl" "$tmp/present-dir"
n_failed=0

. "$k8s_repo/scripts/k8s/cluster-host.sh"

# stand-ins: sysctl -n KEY / sysctl -qw KEY=VALUE on files; a namespace is a file
sysctl() {
    case $1 in
        -n) cat "$fake_sysctl/$2" ;;
        -qw) echo "${2#*=}" >"$fake_sysctl/${2%%=*}" ;;
    esac
}
netns_create() { touch "$netns_dir/$k8s_name"; }

# as_cluster NAME FUNCTION: runs a cluster-host.sh function as cluster NAME
as_cluster() { (k8s_name=$1 k8s_run=$tmp/run-$1 && "$2"); }

# kubelet_changes: what kubelet does to the host when it starts
kubelet_changes() {
    sysctl -qw vm.overcommit_memory=1
    sysctl -qw kernel.panic=10
    mkdir -p "$tmp/kubelet-dir/device-plugins"
}

# down NAME: the end of cluster.sh down: the namespace goes, then host_release
down() {
    rm -f "$netns_dir/$1"
    as_cluster "$1" host_release
}

expect() {
    local what=$1 got=$2 want=$3
    if [[ $got == "$want" ]]; then echo "ok   $what"; else
        echo "FAIL $what: got '$got', want '$want'"
        n_failed=$((n_failed + 1))
    fi
}

host_now() { echo "$(sysctl -n vm.overcommit_memory) $(sysctl -n kernel.panic)"; }

reset_host() {
    rm -rf "$host_state" "$tmp/kubelet-dir" "${netns_dir:?}"/*
    sysctl -qw vm.overcommit_memory=0
    sysctl -qw kernel.panic=1
}

two_clusters() {
    reset_host
    as_cluster a host_acquire
    kubelet_changes
    as_cluster b host_acquire
    kubelet_changes
    down a
    expect "first down leaves the sysctls to the running cluster" "$(host_now)" "1 10"
    expect "first down leaves kubelet's directory" "$(test -d "$tmp/kubelet-dir" && echo yes)" yes
    down b
    expect "last down restores the sysctls" "$(host_now)" "0 1"
    expect "last down removes the directory it created" "$(test -e "$tmp/kubelet-dir" || echo gone)" gone
    expect "last down keeps a directory that was there" "$(test -d "$tmp/present-dir" && echo yes)" yes
    expect "last down removes its own record" "$(test -e "$host_state" || echo gone)" gone
}

crashed_cluster() {
    reset_host
    as_cluster a host_acquire
    kubelet_changes
    rm -f "$netns_dir/a" # crashed: its namespace is gone, host_release never ran
    as_cluster b host_acquire
    kubelet_changes
    down b
    expect "after a crash, down restores the values from before it" "$(host_now)" "0 1"
    expect "after a crash, down removes the crashed cluster's directory" \
        "$(test -e "$tmp/kubelet-dir" || echo gone)" gone
}

two_clusters
crashed_cluster
((n_failed == 0)) || { echo "$n_failed host-state check(s) failed"; exit 1; }
echo "host-state checks passed"
