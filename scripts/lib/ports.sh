# ports.sh - loopback port helpers shared by the test scripts (source it; needs `die`).

# True when 127.0.0.1:PORT is taken: something listens on it, or a connection uses it as its
# local port (a listener cannot bind a port an outgoing connection holds).
port_in_use() {
    ss -Htan "sport = :$1" 2>/dev/null | grep -q . && return 0
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# A free loopback port not among the arguments (so two picks in a row differ), below the
# kernel's ephemeral range (net.ipv4.ip_local_port_range), from which every outgoing
# connection takes its local port: a pick in that range can be taken by one between the pick
# and the bind. Still racy against other tests' picks: callers retry with new ports when a bind
# fails.
free_port() {
    local p tries=0 lo=32768 hi span
    read -r lo hi </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
    span=$((lo - 10000))
    ((span >= 2000)) || span=20000 # an unusual range: fall back to 10000-29999
    while ((tries++ < 200)); do
        p=$((10000 + (RANDOM * 32768 + RANDOM) % span))
        [[ " $* " == *" $p "* ]] && continue
        port_in_use "$p" || { echo "$p"; return 0; }
    done
    die "no free port found"
}
