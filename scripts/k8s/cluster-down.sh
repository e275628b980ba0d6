# cluster-down.sh - part of cluster.sh (sourced): `down`. Removes what `up` made, from the state
# on disk alone (so it also works after a crashed or half-started up): the containers (every
# process in this cluster's cgroup), the shims of this cluster's containerd socket, the daemons
# by recorded PID, every mount under the run dir and of its pods' network namespaces, the
# namespace itself (kube-proxy's and kubelet's iptables rules go with it), the cgroups, the
# shim sockets, and, with the last cluster, the host sysctls and directories (cluster-host.sh).

# pod_netns: names of the pods' namespaces (/run/netns/cni-*) linked to this cluster's namespace
pod_netns() {
    [[ -e $k8s_netns ]] || return 0
    ip -n "$k8s_name" netns list-id 2>/dev/null |
        sed -n 's/.*iproute2 netns name: \(cni-[^)]*\)).*/\1/p'
}

# shim_sockets: the shims' sockets of this cluster (unix sockets are per network namespace)
shim_sockets() {
    [[ -e $k8s_netns ]] || return 0
    k8s_in cat /proc/net/unix | awk '$8 ~ "^/run/containerd/s/" {print $8}' | sort -u
}

# cgroup_pids: every process in this cluster's cgroup tree (the containers)
cgroup_pids() {
    local d
    for d in $(cgroup_dirs); do
        if [[ -d $d ]]; then find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null || true; fi
    done | sort -u
}

# shim_pids: containerd shims started by this cluster's containerd (their -address is our socket)
shim_pids() {
    local f pid
    for f in /proc/[0-9]*/cmdline; do
        pid=${f#/proc/}
        pid=${pid%/cmdline}
        tr '\0' ' ' 2>/dev/null <"$f" | grep -qF -- "-address $k8s_sock " && echo "$pid"
    done
    return 0
}

# daemon_pids NAME...: recorded PIDs of these daemons that still run this cluster's programs
# (the run dir is in each one's command line, so a reused PID is never signalled)
daemon_pids() {
    local name pid
    [[ -f $k8s_run/pids ]] || return 0
    while read -r name pid; do
        [[ " $* " == *" $name "* && -n $pid ]] || continue
        grep -qF -- "$k8s_run" "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
    done <"$k8s_run/pids"
    return 0
}

# running PID: the process exists and is not a zombie waiting for its parent
running() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [[ ${stat%% *} != Z ]]
}

# kill_wait SIGNAL GRACE_S PID...: signals each PID; true once all are gone within GRACE_S
kill_wait() {
    local sig=$1 deadline=$((SECONDS + $2)) pid alive
    shift 2
    (($# > 0)) || return 0
    kill "-$sig" "$@" 2>/dev/null || true
    while ((SECONDS < deadline)); do
        alive=0
        for pid in "$@"; do running "$pid" && alive=1; done
        ((alive == 0)) && return 0
        sleep 0.2
    done
    return 1
}

# stop_daemons NAME...: SIGTERM, then SIGKILL after a short grace
stop_daemons() {
    local pids
    pids=$(daemon_pids "$@")
    # shellcheck disable=SC2086
    kill_wait TERM 5 $pids || kill_wait KILL 10 $pids ||
        k8s_log "still running: $(daemon_pids "$@" | xargs)"
}

# netns_pids INODE: processes in the network namespace with that inode (daemons, shims, and
# clients started by in-ns)
netns_pids() {
    local f
    [[ -n $1 ]] || return 0
    for f in /proc/[0-9]*/ns/net; do
        [[ $(readlink "$f" 2>/dev/null) == "net:[$1]" ]] && echo "${f//[^0-9]/}"
    done
    return 0
}

# stop_processes: first what restarts containers, then the containers, then the rest
stop_processes() {
    stop_daemons kubelet kube-proxy kube-scheduler kube-controller-manager
    # shellcheck disable=SC2046
    kill_wait KILL 10 $(cgroup_pids) || k8s_log "some container processes did not exit"
    # shellcheck disable=SC2046
    kill_wait KILL 10 $(shim_pids) || k8s_log "some shims did not exit"
    stop_daemons containerd kube-apiserver etcd
    # whatever else still runs in the namespace (an in-ns client, a daemon whose PID was lost)
    # shellcheck disable=SC2046
    kill_wait TERM 5 $(netns_pids "$ns_ino") || kill_wait KILL 10 $(netns_pids "$ns_ino") || true
}

# unmount_all NETNS...: every mount under the run dir and of the given pod namespaces, deepest
# first (kubelet's volume tmpfs, containerd's rootfs overlays and sandbox /dev/shm, nsfs binds)
unmount_all() {
    local n m
    {
        awk -v run="$k8s_run/" 'index($5, run) == 1 {print $5}' /proc/self/mountinfo
        for n in "$@"; do awk -v p="/run/netns/$n" '$5 == p {print $5}' /proc/self/mountinfo; done
    } | awk '{print length, $0}' | sort -rn | cut -d' ' -f2- | while read -r m; do
        umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || k8s_log "could not unmount $m"
    done
}

# cgroup_remove: this cluster's cgroup tree in every hierarchy, leaves first; polls while the
# last killed processes are reaped
cgroup_remove() {
    local deadline=$((SECONDS + 10)) d left
    while :; do
        left=()
        for d in $(cgroup_dirs); do
            [[ -d $d ]] || continue
            find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
            [[ -d $d ]] && left+=("$d")
        done
        ((${#left[@]} == 0)) && return 0
        ((SECONDS < deadline)) || break
        sleep 0.2
    done
    k8s_log "cgroups left: ${left[*]}"
}

# container_log_links: kubelet's /var/log/containers links into this cluster's pod logs
container_log_links() {
    local l
    for l in /var/log/containers/*; do
        [[ -L $l && $(readlink "$l") == "$k8s_run/"* ]] && echo "$l"
    done
    return 0
}

clean_run_dir() {
    local d
    for d in etcd containerd kubelet cni pod-logs config helm pids; do
        rm -rf --one-file-system "${k8s_run:?}/$d"
    done
}

cmd_down() {
    local pod_ns shim_socks ns_ino n
    ns_ino=$(stat -L -c %i "$k8s_netns" 2>/dev/null || true)
    pod_ns=$(pod_netns | xargs)
    shim_socks=$(shim_sockets | xargs)
    stop_processes
    # shellcheck disable=SC2086
    unmount_all $pod_ns
    for n in $pod_ns; do rm -f "/run/netns/$n"; done
    if [[ -e $k8s_netns ]]; then
        ip netns del "$k8s_name" || k8s_log "could not delete $k8s_netns"
    fi
    cgroup_remove
    # shellcheck disable=SC2046
    rm -f $shim_socks $(container_log_links)
    host_release
    [[ -d $k8s_run ]] && clean_run_dir
    down_verify
    k8s_log "cluster $k8s_name is down"
}

# down_verify: fails naming whatever of the cluster is still there
down_verify() {
    local left=() pid d
    for pid in $(netns_pids "$ns_ino"); do left+=("process $pid"); done
    grep -qF " $k8s_run/" /proc/self/mountinfo && left+=("mounts under $k8s_run")
    [[ -e $k8s_netns ]] && left+=("$k8s_netns")
    for d in $(cgroup_dirs); do if [[ -d $d ]]; then left+=("cgroup $d"); fi; done
    ((${#left[@]} == 0)) || k8s_die "down left: ${left[*]}"
}
