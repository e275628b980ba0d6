# ports.sh - loopback port helpers shared by the test scripts (source it; needs `die`).

# True when something listens on 127.0.0.1:PORT.
port_in_use() {
    ss -Htln "sport = :$1" 2>/dev/null | grep -q . && return 0
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# A free loopback port not among the arguments (so two picks in a row differ). Racy like any
# pick-then-bind: callers retry with new ports when a bind fails.
free_port() {
    local p tries=0
    while ((tries++ < 200)); do
        p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
        [[ " $* " == *" $p "* ]] && continue
        port_in_use "$p" || { echo "$p"; return 0; }
    done
    die "no free port found"
}
