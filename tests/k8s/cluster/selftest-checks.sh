# selftest-checks.sh - the checks of selftest.sh (sourced), one function per step.

timings=""
pod_ns=""

# no_cluster_process: no process has the run dir in its command line
no_cluster_process() {
    local f
    for f in /proc/[0-9]*/cmdline; do
        [[ $(tr '\0' ' ' 2>/dev/null <"$f") == *"$k8s_run/"* ]] && return 1
    done
    return 0
}

# host_clean: nothing of this cluster is left on the host and the host is as in $baseline
host_clean() {
    local n
    check "no process of the cluster left" no_cluster_process
    check "no mount under the run dir" bash -c "! grep -qF ' $k8s_run/' /proc/self/mountinfo"
    check "network namespace removed" test ! -e "$k8s_netns"
    for n in $pod_ns; do check "pod namespace $n removed" test ! -e "/run/netns/$n"; done
    check "cgroup $k8s_cgroup_root removed" \
        bash -c "! ls -d /sys/fs/cgroup/'${k8s_cgroup_root#/}' /sys/fs/cgroup/*/'${k8s_cgroup_root#/}' \
        2>/dev/null | grep -q ."
    local others="$others_at_start $(other_clusters | xargs)"
    if [[ -n ${others// /} ]]; then
        echo "note: other clusters were up ($others): shared host sysctls and directories not compared"
        check "no KUBE-* iptables rule added on the host" \
            test "$(host_snapshot | head -1)" == "$(head -1 <<<"$baseline")"
    else
        check "host sysctls, directories and iptables as before" test "$(host_snapshot)" == "$baseline"
    fi
    check "cluster unregistered" test ! -e "/run/todo-k8s/clusters/$k8s_name"
    check "run dir keeps only pki and logs" \
        test "$(find "$k8s_run" -mindepth 1 -maxdepth 1 -name '[!.]*' -printf '%f\n' | sort | xargs)" == "logs pki"
}

# test_down_not_up: down of a cluster that is not up succeeds, also with no /run/netns at all
# (as after the last cluster's down; a private mount namespace hides /run for this one check)
test_down_not_up() {
    check "down of a cluster that is not up succeeds" "$cluster" down
    check "and so it does with no /run/netns" unshare --mount --propagation private \
        bash -c 'mount -t tmpfs none /run && "$0" down' "$cluster"
}

test_failed_up() {
    local fake out rc=0
    fake=$(mktemp -d)
    printf '#!/bin/sh\necho "fake etcd: refusing to start" >&2\nexit 1\n' >"$fake/etcd"
    chmod +x "$fake/etcd"
    out=$(PATH=$fake:$PATH "$cluster" up 2>&1) || rc=$?
    rm -rf "$fake"
    check "failed up exits non-zero" test "$rc" -ne 0
    check "failed up names the step" grep -qF "etcd exited while waiting for etcd healthy" <<<"$out"
    check "failed up shows the daemon's log tail" grep -qF "fake etcd: refusing to start" <<<"$out"
    check "failed up tears itself down" test ! -e "$k8s_netns"
}

# up_time WHAT OUT: the seconds `up` logged for WHAT
up_time() { sed -n "s/.*\[\([0-9.]*\)s\] $1\$/\1/p" <<<"$2" | head -1; }

test_up() {
    local out rc=0
    out=$("$cluster" up 2>&1) || rc=$?
    echo "$out" | sed 's/^/    /'
    check "up succeeds" test "$rc" -eq 0
    ((rc == 0)) || { echo "cannot go on without a cluster"; exit 1; }
    # first, before anything gives kube-proxy time: up returns only once DNS really answers
    check "cluster DNS answers from the namespace as soon as up returns" bash -c \
        "'$k8s_repo/scripts/k8s/in-ns' busybox nslookup kubernetes.default.svc.cluster.local \
        10.96.0.10 | grep -qx 'Address: 10.96.0.1'"
    check "node Ready" bash -c "'$kctl' get node '$k8s_node' | grep -qw Ready"
    check "default ServiceAccount exists" "$kctl" -n default get serviceaccount default
    check "a second up of the same cluster fails" bash -c "! '$cluster' up 2>/dev/null"
    check "and leaves the first one running" "$cluster" status
    timings="node Ready $(up_time "node $k8s_node Ready" "$out")s,"
    timings+=" CoreDNS Available $(up_time "CoreDNS Available" "$out")s,"
    timings+=" DNS answering $(up_time "cluster DNS answering at 10.96.0.10" "$out")s"
}

test_workload() {
    local svc_ip
    "$k8s_repo/scripts/k8s/image.sh" import "$k8s_sock" "$probe_ref"
    "$kctl" apply -f "$here/probe.yaml" >/dev/null
    check "probe pod Ready" "$kctl" wait --for=condition=Ready pod/probe --timeout=60s
    svc_ip=$("$kctl" get service probe -o 'jsonpath={.spec.clusterIP}')
    check "pod's resolver is CoreDNS" \
        bash -c "'$kctl' exec probe -- /bin/busybox cat /etc/resolv.conf | grep -qx 'nameserver 10.96.0.10'"
    check "Service name resolves in the pod" bash -c "'$kctl' exec probe -- /bin/busybox \
        nslookup probe.default.svc.cluster.local | grep -qx 'Address: $svc_ip'"
    check "ClusterIP reachable from the pod" bash -c "'$kctl' exec probe -- /bin/busybox sh -c \
        'printf \"GET /index.html HTTP/1.0\r\n\r\n\" | /bin/busybox nc $svc_ip 80' | grep -q 'probe ok'"
    check "ClusterIP reachable from the namespace" \
        bash -c "'$k8s_repo/scripts/k8s/in-ns' curl -sf 'http://$svc_ip/index.html' | grep -q 'probe ok'"
    check "kubectl logs works" \
        bash -c "'$kctl' -n kube-system logs deploy/coredns | grep -q 'CoreDNS-1.12.4'"
    pod_ns=$(ip -n "$k8s_name" netns list-id | sed -n 's/.*name: \(cni-[^)]*\)).*/\1/p' | xargs)
    check "pods have their own namespaces" test -n "$pod_ns"
}

# test_crash_down: kubelet, containerd and kube-apiserver die hard; down must still clean up
test_crash_down() {
    local name pid start client
    "$k8s_repo/scripts/k8s/in-ns" sleep "601.$$" &
    client=$!
    while read -r name pid; do
        [[ $name == kubelet || $name == containerd || $name == kube-apiserver ]] &&
            kill -KILL "$pid"
    done <"$k8s_run/pids"
    start=$EPOCHREALTIME
    check "down after a crash succeeds" "$cluster" down
    timings+=", tear-down $(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.1f", b - a}')s"
    host_clean
    check "down stopped a client left running in the namespace" bash -c "! pgrep -f '[s]leep 601[.]$$'"
    kill "$client" 2>/dev/null || true # in-ns execs its command: $client is the sleep
    wait "$client" 2>/dev/null || true
    check "down again is a no-op" "$cluster" down
}

# test_with_cluster: CMD's exit status comes back; SIGTERM mid-run stops CMD and tears down
test_with_cluster() {
    local wc=$k8s_repo/scripts/k8s/with-cluster.sh log pid rc=0
    "$wc" bash -c '"$0" get node "$1" >/dev/null && exit 7' "$kctl" "$k8s_node" 2>/dev/null || rc=$?
    check "with-cluster.sh returns CMD's status" test "$rc" -eq 7
    check "with-cluster.sh tore down after CMD" test ! -e "$k8s_netns"
    log=$(mktemp)
    "$wc" sleep "600.$$" 2>"$log" &
    pid=$!
    k8s_wait 180 "with-cluster.sh's cluster" grep -q 'is up' "$log" || true
    rc=0
    kill -TERM "$pid"
    wait "$pid" || rc=$?
    rm -f "$log"
    check "with-cluster.sh exits 143 on SIGTERM" test "$rc" -eq 143
    check "with-cluster.sh tore down on SIGTERM" test ! -e "$k8s_netns"
    check "with-cluster.sh stopped CMD" bash -c "! pgrep -f '[s]leep 600[.]$$'"
}
