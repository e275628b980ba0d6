#!/usr/bin/env bash
# with-cluster.sh - brings the test cluster up, runs a command with the cluster's environment
# (`cluster.sh env`: KUBECONFIG, TODO_K8S_SOCK, TODO_K8S_NETNS, TODO_K8S_NAME, TODO_K8S_RUN)
# exported, and always tears the cluster down: on success, failure, SIGINT and SIGTERM
# (docs/deploy/test-cluster.md).
#
# Usage: scripts/k8s/with-cluster.sh CMD [ARGS...]
#        exits with CMD's status (or up's, if the cluster did not come up; 130/143 on a signal)
# CMD runs in the host's network namespace: reach the cluster through scripts/k8s/kubectl,
# scripts/k8s/helm or scripts/k8s/in-ns.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[[ $# -ge 1 ]] || k8s_die "usage: with-cluster.sh CMD [ARGS...]"
k8s_check_name
cluster=$k8s_repo/scripts/k8s/cluster.sh
# never tear down a cluster somebody else brought up
[[ ! -e $k8s_netns ]] || k8s_die "cluster '$k8s_name' is already up; use another TODO_K8S_NAME"

teardown() {
    trap - EXIT INT TERM
    "$cluster" down || k8s_log "tear-down of $k8s_name reported a problem"
}

# on_signal RC: stops CMD (if it runs yet) and exits with RC, which tears the cluster down
on_signal() {
    [[ -n ${child:-} ]] && kill -TERM "$child" 2>/dev/null
    exit "$1"
}

child=
trap 'rc=$?; teardown; exit $rc' EXIT
trap 'on_signal 130' INT
trap 'on_signal 143' TERM

"$cluster" up
eval "$("$cluster" env)"
# CMD runs in the background so a signal is handled at once, not when CMD ends; it keeps
# this script's stdin
"$@" <&0 &
child=$!
rc=0
wait "$child" || rc=$?
child=
exit "$rc"
