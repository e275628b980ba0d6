# cluster-up.sh - part of cluster.sh (sourced): `up`. Each step polls with a deadline; when one
# misses it, `up` names the step, prints the log tail of the daemon it waited for and tears the
# cluster down again (unless TODO_K8S_KEEP_ON_FAIL=1).

up_t0=0

# up_log MSG: MSG with the seconds since the first daemon started
up_log() {
    k8s_log "[$(awk -v a="$up_t0" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.1f", b - a}')s] $*"
}

# render TEMPLATE OUT: the template with @RUN@, @CGROUP_ROOT@, @RUNC@, @CNI_BIN@ filled in
render() {
    sed -e "s|@RUN@|$k8s_run|g" -e "s|@CGROUP_ROOT@|$k8s_cgroup_root|g" \
        -e "s|@RUNC@|$(command -v runc)|g" -e "s|@CNI_BIN@|$cni_bin|g" "$1" >"$2"
}

up_preflight() {
    local t
    for t in ip nsenter containerd runc etcd iptables openssl buildah ctr curl gcc go flock \
        busybox; do
        command -v "$t" >/dev/null || k8s_die "$t is required (scripts/bootstrap.sh --k8s)"
    done
    cni_bin=/usr/lib/cni
    [[ -x $cni_bin/bridge ]] ||
        k8s_die "CNI plugins missing in $cni_bin (containernetworking-plugins)"
    # unix socket paths are limited to 108 bytes; kubelet's deepest is ~40 below the run dir
    ((${#k8s_run} <= 60)) ||
        k8s_die "run dir path too long for unix sockets: $k8s_run (set TODO_K8S_RUN)"
    if [[ -e $k8s_netns || -s $k8s_run/pids ]]; then
        k8s_die "cluster '$k8s_name' is already up or half torn down: run 'cluster.sh down' first"
    fi
}

up_prepare() {
    local n
    for n in "${k8s_tools[@]}"; do nice -n 10 "$k8s_repo/scripts/k8s/gobuild.sh" "$n"; done
    cmd_images
    "$k8s_repo/scripts/k8s/pki.sh"
    rm -rf "$k8s_run/logs"
    mkdir -p "$k8s_run"/{logs,config,cni/net.d,containerd,kubelet,pod-logs}
    : >"$k8s_run/pids"
    render "$cluster_dir/containerd.toml" "$k8s_run/config/containerd.toml"
    render "$cluster_dir/kubelet-config.yaml" "$k8s_run/config/kubelet-config.yaml"
    render "$cluster_dir/cni.conflist" "$k8s_run/cni/net.d/10-todo.conflist"
}

# start NAME CMD...: a daemon in the namespace, detached, its PID recorded in <run>/pids
start() {
    local name=$1
    shift
    setsid nsenter --net="$k8s_netns" "$@" >"$k8s_run/logs/$name.log" 2>&1 </dev/null 6>&- &
    echo "$name $!" >>"$k8s_run/pids"
    disown $!
}

# await NAME DEADLINE_S WHAT CMD...: polls CMD; fails when daemon NAME dies or time runs out
await() {
    local name=$1 deadline=$((SECONDS + $2)) what=$3 pid
    shift 3
    pid=$(awk -v n="$name" '$1 == n {print $2}' "$k8s_run/pids")
    until "$@" >/dev/null 2>&1; do
        kill -0 "$pid" 2>/dev/null || up_fail "$name exited while waiting for $what" "$name"
        ((SECONDS < deadline)) || up_fail "timed out after $2s waiting for $what" "$name"
        sleep 0.2
    done
    up_log "$what"
}

# up_fail WHAT DAEMON: names the failed step, shows DAEMON's log tail and, if the API server
# answers, the pods and the latest events; exits (the EXIT trap tears down)
up_fail() {
    k8s_log "up failed: $1"
    k8s_log "last lines of $k8s_run/logs/$2.log:"
    tail -n 25 "$k8s_run/logs/$2.log" >&2 || true
    if api_ready >/dev/null 2>&1; then
        k8s_log "pods and latest events:"
        kubectl_in get pods -A -o wide >&2 || true
        kubectl_in get events -A --sort-by=.lastTimestamp 2>&1 |
            tail -n 15 >&2 || true
    fi
    exit 1
}

start_etcd() {
    start etcd etcd --name "$k8s_name" --data-dir "$k8s_run/etcd" \
        --listen-client-urls "http://$k8s_ip:2379" --advertise-client-urls "http://$k8s_ip:2379" \
        --listen-peer-urls "http://$k8s_ip:2380" \
        --initial-advertise-peer-urls "http://$k8s_ip:2380" \
        --initial-cluster "$k8s_name=http://$k8s_ip:2380" --quota-backend-bytes=2147483648
}

start_apiserver() {
    local p=$k8s_run/pki
    start kube-apiserver "$(k8s_bin kube-apiserver)" --etcd-servers="http://$k8s_ip:2379" \
        --bind-address="$k8s_ip" --advertise-address="$k8s_ip" --secure-port=6443 \
        --service-cluster-ip-range=10.96.0.0/16 --authorization-mode=Node,RBAC \
        --client-ca-file="$p/ca.crt" --tls-cert-file="$p/apiserver.crt" \
        --tls-private-key-file="$p/apiserver.key" \
        --kubelet-client-certificate="$p/apiserver-kubelet-client.crt" \
        --kubelet-client-key="$p/apiserver-kubelet-client.key" \
        --kubelet-certificate-authority="$p/ca.crt" \
        --kubelet-preferred-address-types=InternalIP,Hostname \
        --service-account-key-file="$p/sa.pub" --service-account-signing-key-file="$p/sa.key" \
        --service-account-issuer=https://kubernetes.default.svc.cluster.local \
        --enable-admission-plugins=NodeRestriction --allow-privileged=true --profiling=false
}

start_controllers() {
    local p=$k8s_run/pki kc=$k8s_run/pki/controller-manager.kubeconfig
    start kube-controller-manager "$(k8s_bin kube-controller-manager)" --kubeconfig="$kc" \
        --authentication-kubeconfig="$kc" --authorization-kubeconfig="$kc" \
        --bind-address="$k8s_ip" --leader-elect=false --use-service-account-credentials=true \
        --service-account-private-key-file="$p/sa.key" --root-ca-file="$p/ca.crt" \
        --cluster-signing-cert-file="$p/ca.crt" --cluster-signing-key-file="$p/ca.key" \
        --allocate-node-cidrs=false --controllers='*,-nodeipam' --profiling=false
    kc=$p/scheduler.kubeconfig
    start kube-scheduler "$(k8s_bin kube-scheduler)" --kubeconfig="$kc" \
        --authentication-kubeconfig="$kc" --authorization-kubeconfig="$kc" \
        --bind-address="$k8s_ip" --leader-elect=false --profiling=false
}

start_node() {
    start kubelet "$(k8s_bin kubelet)" --config="$k8s_run/config/kubelet-config.yaml" \
        --kubeconfig="$k8s_run/pki/kubelet.kubeconfig" --root-dir="$k8s_run/kubelet" \
        --cert-dir="$k8s_run/kubelet/pki" --hostname-override="$k8s_node" --node-ip="$k8s_ip"
    # conntrack sysctls cannot be written inside a network namespace: leave them alone
    start kube-proxy "$(k8s_bin kube-proxy)" --kubeconfig="$k8s_run/pki/kube-proxy.kubeconfig" \
        --hostname-override="$k8s_node" --proxy-mode=iptables --cluster-cidr=10.244.0.0/24 \
        --metrics-bind-address="$k8s_ip:10249" --healthz-bind-address="$k8s_ip:10256" \
        --conntrack-max-per-core=0 --conntrack-tcp-timeout-established=0 \
        --conntrack-tcp-timeout-close-wait=0 --iptables-localhost-nodeports=false \
        --nodeport-addresses="$k8s_ip/32"
}

# cgroup_create: this cluster's cgroup root in every hierarchy (kubelet's cgroupRoot must
# exist); a v1 cpuset needs its cpus and mems before anything can join
cgroup_create() {
    local d parent
    for d in $(cgroup_dirs); do
        mkdir -p "$d"
        parent=${d%/*}
        if [[ -f $parent/cpuset.cpus && -f $d/cpuset.cpus ]]; then
            cat "$parent/cpuset.cpus" >"$d/cpuset.cpus"
            cat "$parent/cpuset.mems" >"$d/cpuset.mems"
        fi
    done
}

# each probe has its own timeout, so a hung call cannot outlive a step's deadline
kubectl_in() { KUBECONFIG=$k8s_kubeconfig k8s_in "$(k8s_bin kubectl)" --request-timeout=10s "$@"; }
etcd_healthy() { k8s_in curl -sf --max-time 3 "http://$k8s_ip:2379/health"; }
api_ready() { k8s_in curl -sfk --max-time 3 "$k8s_api/readyz"; }
# dns_answers: CoreDNS answers through its ClusterIP (kube-proxy has its endpoints)
dns_answers() {
    k8s_in timeout 3 busybox nslookup kubernetes.default.svc.cluster.local 10.96.0.10 |
        grep -qx 'Address: 10.96.0.1'
}
node_ready() {
    [[ $(kubectl_in get node "$k8s_node" \
        -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}') == True ]]
}

up_control_plane() {
    start containerd containerd --config "$k8s_run/config/containerd.toml"
    start_etcd
    await etcd 30 "etcd healthy" etcd_healthy
    start_apiserver
    await kube-apiserver 120 "kube-apiserver ready" api_ready
    start_controllers
}

up_node() {
    await containerd 30 "containerd listening" test -S "$k8s_sock"
    "$k8s_repo/scripts/k8s/image.sh" import "$k8s_sock" "localhost/pause:$pause_version" \
        "localhost/coredns:$coredns_version"
    up_log "pause and CoreDNS images imported"
    cgroup_create
    start_node
    await kubelet 120 "node $k8s_node Ready" node_ready
}

up_dns() {
    kubectl_in apply -f "$cluster_dir/coredns.yaml" >/dev/null
    await kube-controller-manager 60 "default ServiceAccount" \
        kubectl_in -n default get serviceaccount default
    await kubelet 120 "CoreDNS Available" kubectl_in -n kube-system wait \
        --for=condition=Available deployment/coredns --timeout=2s
    await kube-proxy 60 "cluster DNS answering at 10.96.0.10" dns_answers
}

# on_up_exit: a failed `up` tears down what it started unless TODO_K8S_KEEP_ON_FAIL=1
on_up_exit() {
    local rc=$?
    ((rc == 0)) && return 0
    if [[ ${TODO_K8S_KEEP_ON_FAIL:-0} == 1 ]]; then
        k8s_log "leaving the failed cluster up (TODO_K8S_KEEP_ON_FAIL=1);" \
            "'cluster.sh down' removes it"
    else
        k8s_log "tearing the failed cluster down"
        cmd_down || true
    fi
    exit "$rc"
}

cmd_up() {
    up_preflight
    up_prepare
    up_t0=$EPOCHREALTIME
    trap on_up_exit EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    host_acquire
    up_control_plane
    up_node
    up_dns
    trap - EXIT INT TERM
    up_log "cluster $k8s_name is up; use: eval \"\$(scripts/k8s/cluster.sh env)\""
}
