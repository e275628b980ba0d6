# cluster-host.sh - part of cluster.sh (sourced): what a cluster changes on the host outside its
# network namespace, and how it is undone. kubelet sets host sysctls (vm.overcommit_memory,
# kernel.panic, kernel.panic_on_oops) and creates a few fixed host directories whatever it is
# told; several clusters may run at once, so the host's original state is recorded once, by
# the first cluster up, in $host_state (/run/todo-k8s: a reboot resets it with the sysctls),
# and given back by the last cluster down (flock-guarded). A cluster counts as live while its
# network namespace exists, so one that crashed without `down` does not pin the host's state;
# the record itself stays until it is given back, so a later cluster never takes a crashed
# cluster's changes for the host's own values.

netns_dir=${netns_dir:-/run/netns}

# host_lock: the machine-wide lock on $host_state (fd 7); retried if the last cluster down
# removed the lock file while this one waited
host_lock() {
    while :; do
        mkdir -p "$host_state"
        exec 7>>"$host_state/lock"
        flock 7
        if [[ /proc/self/fd/7 -ef $host_state/lock ]]; then
            mkdir -p "$host_state/clusters"
            return 0
        fi
        exec 7>&-
    done
}

host_unlock() { exec 7>&-; }

# host_live_clusters: names of registered clusters whose network namespace still exists
host_live_clusters() {
    local f
    for f in "$host_state"/clusters/*; do
        [[ -e $f ]] || continue
        if [[ -e $netns_dir/${f##*/} ]]; then echo "${f##*/}"; else rm -f "$f"; fi
    done
}

# host_record: the host's sysctls and which of the directories are missing, unless recorded
host_record() {
    local s d
    if [[ ! -f $host_state/sysctls ]]; then
        for s in "${host_sysctls[@]}"; do
            echo "$s=$(sysctl -n "$s")"
        done >"$host_state/sysctls.tmp"
        mv "$host_state/sysctls.tmp" "$host_state/sysctls"
    fi
    if [[ ! -f $host_state/created-dirs ]]; then
        for d in "${host_dirs[@]}"; do [[ -e $d ]] || echo "$d"; done >"$host_state/created-dirs"
    fi
}

# host_acquire: records the host's state if not yet recorded, registers this cluster and creates
# its namespace (under the lock, so a concurrent host_release never sees it registered without
# a namespace)
host_acquire() {
    host_lock
    host_record
    echo "$k8s_run" >"$host_state/clusters/$k8s_name"
    netns_create
    host_unlock
}

# host_release: unregisters this cluster; the last one restores sysctls and removes directories
host_release() {
    [[ -d $host_state ]] || return 0
    host_lock
    rm -f "$host_state/clusters/$k8s_name"
    if [[ -z $(host_live_clusters) ]]; then
        host_restore
        rm -rf "$host_state"
    fi
    host_unlock
}

host_restore() {
    local line d
    if [[ -f $host_state/sysctls ]]; then
        while read -r line; do
            [[ -z $line ]] || sysctl -qw "$line" || k8s_log "could not restore sysctl $line"
        done <"$host_state/sysctls"
    fi
    [[ -f $host_state/created-dirs ]] || return 0
    sort -r "$host_state/created-dirs" | while read -r d; do
        [[ -n $d && -e $d ]] || continue
        if [[ $d == /run/netns ]]; then
            # ip netns mounts /run/netns on itself; leave it if anybody else has a namespace there
            [[ -z $(ls -A /run/netns) ]] || continue
            umount /run/netns 2>/dev/null || true
        fi
        rm -rf --one-file-system "$d"
    done
}

# cgroup_dirs: this cluster's cgroup (kubelet's cgroupRoot) in every mounted hierarchy: one
# per v1 controller plus the unified one on a hybrid host like this one, the single one on a
# cgroup v2 host
cgroup_dirs() {
    awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { fs = $(i + 1); break } }
         fs == "cgroup" || fs == "cgroup2" { print $5 }' /proc/self/mountinfo |
        sort -u | sed "s|\$|$k8s_cgroup_root|"
}

# netns_create: the namespace, its bridge todobr0 (node IP 10.244.0.1/24) and the service route
netns_create() {
    ip netns add "$k8s_name"
    ip -n "$k8s_name" link set lo up
    ip -n "$k8s_name" link add todobr0 type bridge
    ip -n "$k8s_name" addr add "$k8s_ip/24" dev todobr0
    ip -n "$k8s_name" link set todobr0 up
    # locally sent ClusterIP traffic needs a route before kube-proxy's OUTPUT DNAT sees it
    ip -n "$k8s_name" route add 10.96.0.0/16 dev todobr0
    # both are per network namespace on this kernel; the host's stay as they are
    k8s_in sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1 \
        net.bridge.bridge-nf-call-ip6tables=1
}
