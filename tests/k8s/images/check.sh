#!/usr/bin/env bash
# check.sh - checks the images scripts/k8s/images.sh builds, without a cluster: each runs
# from buildah's storage as a container on the host's network, on loopback ports picked free
# (docs/deploy/images.md). The cluster tier runs it before bringing its cluster up.
#
# Usage: tests/k8s/images/check.sh [--tag T] [todo|postgres|kafka|prometheus|postgres-exporter...]
#   (default: all)
#   todo      the image's configuration (non-root user 10001, entry point, TODO_* env, port
#             8080); `todo version` runs as that user; no compiler and no -dev package in the
#             image; `todo serve` starts and serves /healthz, /readyz and the web UI; it also
#             serves and signs up on the image's root mounted read-only, with empty tmpfs at
#             /tmp and /var/lib/todo (the chart's emptyDirs)
#   postgres  the first start initialises a database from POSTGRES_*; a login with the
#             password works, one with a wrong password is refused; it runs as uid 999
#   kafka     a broker starts and answers a metadata request (kcat); `topics` creates a topic
#             with its partitions; a message round-trips; a topic is not made by producing;
#             the JMX exporter agent (KAFKA_JMX_EXPORTER_PORT) serves the broker's metrics
#   prometheus  runs as uid 999 (no set-id file), version 2.42 (and kube-state-metrics v2.20);
#             it starts, scrapes itself and answers a query through its HTTP API
#   postgres-exporter  runs as uid 998 (no set-id file), version 0.11; after postgres, pg_up 1
#             and the database's statistics from the PostgreSQL image's database
#   (all three) `todo migrate` on the PostgreSQL image; `todo serve` with the Kafka bus on both
#             publishes a created task's event to task-events
#   always    no Containerfile or entry point names an architecture (comments aside)
# Prints one line per check and "images check: N passed, M failed"; exits non-zero on a failure.
# Environment: TODO_K8S_CACHE, CHECK_TIMEOUT (seconds to wait for a server, default 90).
set -euo pipefail

repo=$(cd "$(dirname "$0")/../../.." && pwd)
# cache, bah
source "$repo/scripts/k8s/buildah.sh"
timeout=${CHECK_TIMEOUT:-90}

die() { echo "check.sh: $*" >&2; exit 1; }
# port_in_use, free_port
source "$repo/scripts/lib/ports.sh"

passed=0 failed=0
ok() { echo "ok   $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
# check NAME COMMAND...: runs COMMAND, records ok/FAIL
check() {
    local name=$1
    shift
    if "$@"; then ok "$name"; else fail "$name"; fi
}

# ------------------------------------------------------------------- containers, cleanup
tmp=$(mktemp -d "${TMPDIR:-/tmp}/todo-images-check.XXXXXX")
ctrs=() pgids=()
cleanup() {
    local g c deadline
    for g in "${pgids[@]}"; do kill -TERM -- "-$g" 2>/dev/null || true; done
    deadline=$((SECONDS + 30))
    for g in "${pgids[@]}"; do
        while kill -0 -- "-$g" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
        kill -KILL -- "-$g" 2>/dev/null || true
    done
    for c in "${ctrs[@]}"; do bah rm "$c" >/dev/null 2>&1 || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# new_ctr REF: a working container of REF, named in $ctr (not printed: cleanup must see it
# in ctrs, which a $(...) subshell would not update)
new_ctr() {
    ctr=$(bah from --pull-never --quiet "$1") || die "no image $1 (scripts/k8s/images.sh builds it)"
    ctrs+=("$ctr")
}

# start NAME LOG CTR [buildah run args] -- CMD...: runs CMD in CTR in the background, in a
# process group of its own (stopped by cleanup)
start() {
    local log=$1
    shift
    setsid buildah "${buildah_store[@]}" run --network host "$@" </dev/null >"$log" 2>&1 &
    pgids+=("$!")
}

# stop the background container started last, and wait until it ended
stop_last() {
    local g=${pgids[-1]} deadline=$((SECONDS + 30))
    kill -TERM -- "-$g" 2>/dev/null || true
    while kill -0 -- "-$g" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
    kill -KILL -- "-$g" 2>/dev/null || true
    unset 'pgids[-1]'
}

# poll until COMMAND succeeds or the deadline passes
wait_for() {
    local deadline=$((SECONDS + timeout))
    until "$@" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || return 1
        sleep 0.2
    done
}

config() { bah inspect --type image --format "$2" "$1"; }

# serve LOG READY START: runs START LOG (it picks free ports and calls start), then polls READY
# until it succeeds (0), the deadline passes (1) or the server ends. Ports are picked before
# they are bound, so another program may take one meanwhile: a server that ended with
# "Address already in use" is started again on new ports (three attempts).
serve() {
    local log=$1 ready=$2 starter=$3 attempt deadline g
    for attempt in 1 2 3; do
        "$starter" "$log"
        g=${pgids[-1]}
        deadline=$((SECONDS + timeout))
        until "$ready" >/dev/null 2>&1; do
            if ! kill -0 -- "-$g" 2>/dev/null; then
                # ended: the caller's stop_last pops it, unless it is started again
                grep -qi 'Address already in use' "$log" || return 1
                unset 'pgids[-1]'
                continue 2
            fi
            ((SECONDS < deadline)) || return 1
            sleep 0.2
        done
        return 0
    done
    return 1
}

# check_no_setid NAME CTR: no set-user-id or set-group-id file (su, passwd, mount...)
check_no_setid() {
    local suid
    suid=$(bah run --user 0:0 "$2" -- find / -xdev -type f -perm /6000 2>/dev/null | tr '\n' ' ') || true
    check "$1: no set-user-id or set-group-id file${suid:+ ($suid)}" [ -z "$suid" ]
}

# ----------------------------------------------------------------------------------- todo
check_todo() {
    local ref=$1 c out port
    new_ctr "$ref"
    c=$ctr
    todo_ctr=$c
    check "todo: user is 10001:10001" [ "$(config "$ref" '{{.OCIv1.Config.User}}')" = 10001:10001 ]
    check "todo: entry point /usr/local/bin/todo, command serve" [ "$(config "$ref" \
        '{{range .OCIv1.Config.Entrypoint}}[{{.}}]{{end}} {{range .OCIv1.Config.Cmd}}[{{.}}]{{end}}')" = \
        '[/usr/local/bin/todo] [serve]' ]
    local env; env=$(config "$ref" '{{range .OCIv1.Config.Env}}{{println .}}{{end}}')
    local kv
    for kv in TODO_LISTEN=0.0.0.0:8080 TODO_DATA_DIR=/var/lib/todo TODO_WEB_DIR=/usr/share/todo/web; do
        check "todo: $kv" grep -qx "$kv" <<<"$env"
    done
    check "todo: exposes 8080/tcp" grep -qx '8080/tcp' \
        <<<"$(config "$ref" '{{range $p, $v := .OCIv1.Config.ExposedPorts}}{{println $p}}{{end}}')"
    check "todo: OCI labels (title, version)" [ "$(config "$ref" \
        '{{index .OCIv1.Config.Labels "org.opencontainers.image.title"}} {{index .OCIv1.Config.Labels "org.opencontainers.image.version"}}')" \
        = "todo 0.1.0" ]
    check "todo: working directory /var/lib/todo" [ "$(config "$ref" '{{.OCIv1.Config.WorkingDir}}')" = /var/lib/todo ]

    out=$(bah run "$c" -- /usr/local/bin/todo version 2>&1) || true
    check "todo: \`todo version\` runs ($out)" grep -qE '[0-9]+\.[0-9]+\.[0-9]+' <<<"$out"
    out=$(bah run "$c" -- /usr/bin/id -u 2>&1) || true
    check "todo: runs as uid 10001 (id -u: $out)" [ "$out" = 10001 ]

    local pkgs dev
    pkgs=$(bah run "$c" -- dpkg-query -W -f '${Package} ${db:Status-Abbrev}\n' 2>/dev/null |
        awk '$2 == "ii" { print $1 }' | sed 's/:.*//') || true
    check "todo: dpkg lists the runtime packages ($(wc -l <<<"$pkgs") installed)" grep -qx 'libmicrohttpd12' <<<"$pkgs"
    dev=$(grep -E -- '-dev$|^(gcc|gcc-[0-9]+|cpp|cpp-[0-9]+|g\+\+|clang|binutils|make|cmake|ninja-build|build-essential|pkg-config|libc6-dev|linux-libc-dev)$' <<<"$pkgs" || true)
    check "todo: no compiler and no -dev package${dev:+ (found: $(echo $dev))}" [ -z "$dev" ]
    no_tools() {
        bah run "$c" -- /bin/sh -c \
            '! command -v cc && ! command -v gcc && ! command -v ld && ! command -v make' >/dev/null 2>&1
    }
    check "todo: no cc, gcc, ld nor make on the PATH" no_tools
    check_no_setid todo "$c"

    start_todo() {
        port=$(free_port)
        start "$1" --env "TODO_LISTEN=127.0.0.1:$port" "$c" -- /usr/local/bin/todo serve
    }
    todo_ready() { curl -fsS "http://127.0.0.1:$port/readyz"; }
    if serve "$tmp/todo.log" todo_ready start_todo; then
        ok "todo: \`todo serve\` is ready on 127.0.0.1:$port"
        check "todo: /healthz answers" curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz"
        check "todo: / serves the web UI" grep -qi '<html' <<<"$(curl -fsS "http://127.0.0.1:$port/" 2>/dev/null)"
    else
        fail "todo: \`todo serve\` did not become ready within ${timeout}s"
        tail -n 20 "$tmp/todo.log" >&2
    fi
    stop_last
    check_todo_readonly "$ref"
}

# `todo serve` as the chart runs it: the image's root file system read-only, empty tmpfs at
# /tmp and at TODO_DATA_DIR (the chart's emptyDirs), uid 10001, the image's environment. In a
# mount namespace of its own over the container's root (buildah mount), entered with chroot.
check_todo_readonly() {
    local c root out token
    new_ctr "$1"   # a fresh one: the runs above wrote into the other's /var/lib/todo
    c=$ctr
    root=$(bah mount "$c") || { fail "todo: buildah mount"; return 0; }
    start_ro() {
        port=$(free_port)
        setsid env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin R="$root" \
            TODO_LISTEN="127.0.0.1:$port" TODO_DATA_DIR=/var/lib/todo \
            TODO_WEB_DIR=/usr/share/todo/web \
            unshare --mount --propagation private bash -euc '
                mount --bind "$R" "$R"
                mount -o remount,bind,ro "$R"
                mount --rbind /dev "$R/dev"
                mount -t proc proc "$R/proc"
                mount -t tmpfs -o size=16m,mode=1777 tmpfs "$R/tmp"
                mount -t tmpfs -o size=64m,mode=0700,uid=10001,gid=10001 tmpfs "$R/var/lib/todo"
                cd "$R/var/lib/todo"
                exec chroot --userspec=10001:10001 "$R" /usr/local/bin/todo serve' \
            </dev/null >"$1" 2>&1 &
        pgids+=("$!")
    }
    ro_ready() { curl -fsS "http://127.0.0.1:$port/readyz"; }
    if serve "$tmp/todo-ro.log" ro_ready start_ro; then
        out=$(curl -fsS -H 'Content-Type: application/json' \
            -d '{"email":"readonly-check@example.com","password":"readonly-check-pw"}' \
            "http://127.0.0.1:$port/api/auth/signup" 2>&1) || true
        token=$(sed -n 's/.*"token":"\([^"]*\)".*/\1/p' <<<"$out")
        check "todo: serves and signs up on a read-only root (emptyDirs at /tmp and /var/lib/todo)" \
            [ -n "$token" ]
    else
        fail "todo: \`todo serve\` on a read-only root not ready within ${timeout}s"
        tail -n 20 "$tmp/todo-ro.log" >&2
    fi
    stop_last
    bah umount "$c" >/dev/null 2>&1 || true
}

# ------------------------------------------------------------------------------- postgres
check_postgres() {
    local ref=localhost/todo-postgres:15 c port pw data
    check "postgres: user is 999:999" [ "$(config "$ref" '{{.OCIv1.Config.User}}')" = 999:999 ]
    new_ctr "$ref"
    c=$ctr
    check_no_setid postgres "$c"
    data=$tmp/pgdata
    mkdir -p "$data"
    chown 999:999 "$data"
    chmod 0700 "$data"
    pw=$(head -c 12 /dev/urandom | base64 | tr -d '/+=')
    start_pg() {
        port=$(free_port)
        start "$1" --volume "$data:/var/lib/postgresql/data" \
            --env POSTGRES_PASSWORD="$pw" --env POSTGRES_USER=todo --env POSTGRES_DB=tododb \
            "$c" -- /usr/local/bin/postgres-entrypoint postgres -c listen_addresses=127.0.0.1 -c port="$port"
    }
    pg() { PGPASSWORD=$1 PGCONNECT_TIMEOUT=5 psql -h 127.0.0.1 -p "$port" -U todo -d tododb -XAtqc "$2"; }
    pg_ready() { pg "$pw" 'select 1'; }
    if serve "$tmp/postgres.log" pg_ready start_pg; then
        ok "postgres: initialised, a login with the password works (port $port)"
        check "postgres: the database belongs to the user" [ "$(pg "$pw" \
            "select pg_get_userbyid(datdba) from pg_database where datname = 'tododb'")" = todo ]
        local refused
        refused=$(pg "wrong-$pw" 'select 1' 2>&1) && refused="accepted: $refused"
        check "postgres: a wrong password is refused" grep -q 'password authentication failed' <<<"$refused"
        check "postgres: a query costly enough for JIT runs (JIT left out of the image)" [ "$(pg "$pw" \
            "set jit = on; set jit_above_cost = 0; select sum(x) from generate_series(1, 1000) x")" = 500500 ]
        check "postgres: data files owned by uid 999" [ "$(stat -c %u "$data/pgdata/PG_VERSION")" = 999 ]
        check "postgres: the password is not in the log" bash -c "! grep -qF -- '$pw' '$tmp/postgres.log'"
        pg "$pw" 'create table kept (n int); insert into kept values (42)' >/dev/null || true
        stop_last
        # a restart on the same data: no initialisation, no password needed, the data kept
        restart_pg() {
            port=$(free_port)
            start "$1" --volume "$data:/var/lib/postgresql/data" \
                "$c" -- /usr/local/bin/postgres-entrypoint postgres -c listen_addresses=127.0.0.1 -c port="$port"
        }
        if serve "$tmp/postgres2.log" pg_ready restart_pg; then
            check "postgres: a restart keeps the data" [ "$(pg "$pw" 'select n from kept')" = 42 ]
            # left running for check_stack
            pg_url="postgresql://todo:$pw@127.0.0.1:$port/tododb"
            return 0
        fi
        fail "postgres: no restart on the same data within ${timeout}s"
        tail -n 20 "$tmp/postgres2.log" >&2
    else
        fail "postgres: not ready within ${timeout}s"
        tail -n 20 "$tmp/postgres.log" >&2
    fi
    stop_last
}

# ---------------------------------------------------------------------------------- kafka
check_kafka() {
    local ref=localhost/todo-kafka:3.9.2 c c2 port cport jport data b meta
    command -v kcat >/dev/null || die "kcat not found (scripts/bootstrap.sh --test)"
    check "kafka: user is 10002:10002" [ "$(config "$ref" '{{.OCIv1.Config.User}}')" = 10002:10002 ]
    new_ctr "$ref"
    c=$ctr
    check_no_setid kafka "$c"
    data=$tmp/kafka
    mkdir -p "$data"
    chown 10002:10002 "$data"
    start_kafka() {
        port=$(free_port)
        cport=$(free_port "$port")
        jport=$(free_port "$port" "$cport")
        b=127.0.0.1:$port
        start "$1" --volume "$data:/var/lib/kafka" \
            --env KAFKA_PORT="$port" --env KAFKA_CONTROLLER_PORT="$cport" \
            --env KAFKA_JMX_EXPORTER_PORT="$jport" \
            --env KAFKA_ADVERTISED_HOST=127.0.0.1 --env KAFKA_HEAP_OPTS='-Xmx384m -Xms128m' \
            "$c" -- /usr/local/bin/kafka-entrypoint broker
    }
    broker_up() { kcat -b "$b" -L -m 3 2>/dev/null | grep -q '^ *1 brokers:'; }
    if serve "$tmp/kafka.log" broker_up start_kafka; then
        ok "kafka: the broker answers a metadata request on $b"
        new_ctr "$ref"
        c2=$ctr
        kafka_ctr=$c2
        if bah run --network host "$c2" -- /usr/local/bin/kafka-entrypoint topics "$b" \
                check-events:3 check-events.dlq:1 >"$tmp/topics.log" 2>&1; then
            meta=$(kcat -b "$b" -L -m 5 2>/dev/null || true)
            check "kafka: topics created (check-events with 3 partitions)" \
                grep -qF 'topic "check-events" with 3 partitions' <<<"$meta"
        else
            fail "kafka: \`kafka-entrypoint topics\` failed"
            cat "$tmp/topics.log" >&2
        fi
        echo 'k1:hello' | kcat -P -b "$b" -t check-events -K: -X acks=all 2>/dev/null
        check "kafka: a message round-trips" grep -qx 'k1:hello' \
            <<<"$(kcat -C -b "$b" -t check-events -e -o beginning -q -f '%k:%s\n' -m 1 2>/dev/null)"
        echo 'x' | kcat -P -b "$b" -t check-not-made -X message.timeout.ms=2000 2>/dev/null || true
        check "kafka: producing does not create a topic" \
            bash -c "! kcat -b '$b' -L -m 5 2>/dev/null | grep -qF 'topic \"check-not-made\"'"
        jmx_in() {
            curl -sf "http://127.0.0.1:$jport/metrics" |
                grep -q '^kafka_server_brokertopicmetrics_messagesin_total{topic="check-events"'
        }
        check "kafka: the JMX exporter agent serves the broker's metrics (KAFKA_JMX_EXPORTER_PORT)" \
            wait_for jmx_in
        check "kafka: its files belong to uid 10002" [ "$(stat -c %u "$data/data/meta.properties")" = 10002 ]
        kafka_brokers=$b   # left running for check_stack
        return 0
    fi
    fail "kafka: the broker did not answer within ${timeout}s"
    tail -n 30 "$tmp/kafka.log" >&2
    stop_last
}

# ------------------------------------------------------------------------ postgres-exporter
# As the chart runs it beside the database: non-root, and on the PostgreSQL image's database
# (when check_postgres left it running) pg_up is 1 and the database's statistics are served.
check_postgres_exporter() {
    local ref=localhost/todo-postgres-exporter:0.11 c port u
    check "postgres-exporter: user is 998:998" [ "$(config "$ref" '{{.OCIv1.Config.User}}')" = 998:998 ]
    new_ctr "$ref"
    c=$ctr
    check_no_setid postgres-exporter "$c"
    check "postgres-exporter: version 0.11" \
        grep -q 'version 0\.11\.' <<<"$(bah run "$c" -- /usr/bin/prometheus-postgres-exporter --version 2>&1)"
    [[ -n ${pg_url:-} ]] || return 0
    u=${pg_url#postgresql://}
    start_exporter() {
        port=$(free_port)
        start "$1" --env DATA_SOURCE_URI="${u#*@}?sslmode=disable" --env DATA_SOURCE_USER="${u%%:*}" \
            --env DATA_SOURCE_PASS="$(cut -d: -f2 <<<"${u%%@*}")" \
            "$c" -- /usr/bin/prometheus-postgres-exporter --web.listen-address="127.0.0.1:$port"
    }
    pg_up() { curl -sf "http://127.0.0.1:$port/metrics" | grep -qx 'pg_up 1'; }
    if serve "$tmp/postgres-exporter.log" pg_up start_exporter; then
        ok "postgres-exporter: pg_up 1 on the PostgreSQL image's database (port $port)"
        check "postgres-exporter: the database's statistics (pg_stat_database_xact_commit)" \
            grep -q '^pg_stat_database_xact_commit{.*datname="tododb"' \
            <<<"$(curl -sf "http://127.0.0.1:$port/metrics")"
    else
        fail "postgres-exporter: no pg_up 1 within ${timeout}s"
        tail -n 20 "$tmp/postgres-exporter.log" >&2
    fi
    stop_last
}

# ---------------------------------------------------------------------- the three together
# todo on the PostgreSQL and Kafka images: `todo migrate` (libpq), then `todo serve` with the
# Kafka bus (librdkafka) publishes a created task's event to task-events.
check_stack() {
    local port out token uid
    out=$(bah run --network host --env "TODO_DATABASE_URL=$pg_url" "$todo_ctr" -- \
        /usr/local/bin/todo migrate 2>&1) &&
        ok "stack: \`todo migrate\` on the PostgreSQL image" ||
        { fail "stack: \`todo migrate\` on the PostgreSQL image"; echo "$out" >&2; return 0; }
    if ! bah run --network host "$kafka_ctr" -- /usr/local/bin/kafka-entrypoint topics \
            "$kafka_brokers" task-events:3 >"$tmp/stack-topics.log" 2>&1; then
        fail "stack: creating task-events"
        cat "$tmp/stack-topics.log" >&2
        return 0
    fi
    start_stack() {
        port=$(free_port)
        start "$1" --env "TODO_LISTEN=127.0.0.1:$port" --env "TODO_DATABASE_URL=$pg_url" \
            --env TODO_BUS=kafka --env "TODO_KAFKA_BROKERS=$kafka_brokers" \
            "$todo_ctr" -- /usr/local/bin/todo serve
    }
    stack_ready() { curl -fsS "http://127.0.0.1:$port/readyz"; }
    if ! serve "$tmp/stack.log" stack_ready start_stack; then
        fail "stack: \`todo serve\` on PostgreSQL and Kafka not ready within ${timeout}s"
        tail -n 20 "$tmp/stack.log" >&2
        stop_last
        return 0
    fi
    ok "stack: \`todo serve\` ready on PostgreSQL and Kafka"
    out=$(curl -fsS -H 'Content-Type: application/json' \
        -d '{"email":"images-check@example.com","password":"images-check-pw"}' \
        "http://127.0.0.1:$port/api/auth/signup" 2>&1) || true
    token=$(sed -n 's/.*"token":"\([^"]*\)".*/\1/p' <<<"$out")
    uid=$(sed -n 's/.*"user":{[^}]*"id":"\{0,1\}\([^",}]*\).*/\1/p' <<<"$out")
    if [[ -z $token || -z $uid ]]; then
        fail "stack: sign-up ($out)"
        stop_last
        return 0
    fi
    out=$(curl -fsS -H 'Content-Type: application/json' -H "Authorization: Bearer $token" \
        -d '{"title":"made in the images check"}' "http://127.0.0.1:$port/api/$uid/tasks" 2>&1) &&
        ok "stack: a task created" || fail "stack: creating a task ($out)"
    event() {
        kcat -C -b "$kafka_brokers" -t task-events -e -o beginning -q 2>/dev/null |
            grep -q 'made in the images check'
    }
    check "stack: its event is on task-events" wait_for event
    stop_last
}

# Prometheus as the cluster tier runs it (tests/k8s/prometheus/): as its non-root user, on the
# image's own data directory; it scrapes itself, and a query through the HTTP API sees it up.
check_prometheus() {
    local ref=localhost/prometheus:2.42 c port
    check "prometheus: user is 999:999" [ "$(config "$ref" '{{.OCIv1.Config.User}}')" = 999:999 ]
    new_ctr "$ref"
    c=$ctr
    check_no_setid prometheus "$c"
    check "prometheus: version 2.42" \
        grep -q 'version 2\.42\.' <<<"$(bah run "$c" -- prometheus --version 2>&1)"
    check "prometheus: kube-state-metrics v2.20 beside it" \
        grep -q 'version v2\.20\.' <<<"$(bah run "$c" -- kube-state-metrics version 2>&1)"
    mkdir -p "$tmp/prom"
    start_prom() {
        port=$(free_port)
        printf '%s\n' 'global: {scrape_interval: 1s, evaluation_interval: 1s}' 'scrape_configs:' \
            '  - job_name: self' "    static_configs: [{targets: ['127.0.0.1:$port']}]" \
            >"$tmp/prom/prometheus.yml"
        start "$1" --volume "$tmp/prom:/etc/todo-check:ro" "$c" -- /usr/bin/prometheus \
            --config.file=/etc/todo-check/prometheus.yml --storage.tsdb.path=/prometheus \
            --web.listen-address="127.0.0.1:$port"
    }
    prom_ready() { curl -fsS "http://127.0.0.1:$port/-/ready"; }
    if serve "$tmp/prometheus.log" prom_ready start_prom; then
        ok "prometheus: ready (port $port)"
        self_up() {
            curl -fsS "http://127.0.0.1:$port/api/v1/query" \
                --data-urlencode 'query=up{job="self"} == 1' |
                grep -q '"result":\[{'
        }
        check "prometheus: it scrapes itself (up{job=\"self\"} == 1, HTTP API)" wait_for self_up
        check "prometheus: runs as uid 999" grep -qx 999 <<<"$(bah run "$c" -- id -u)"
    else
        fail "prometheus: not ready within ${timeout}s"
        tail -n 20 "$tmp/prometheus.log" >&2
    fi
    stop_last
}

tag=dev names=()
while (($#)); do
    case $1 in
        --tag) tag=$2; shift 2 ;;
        todo | postgres | kafka | prometheus | postgres-exporter) names+=("$1"); shift ;;
        base) shift ;;   # the base is checked through the images built on it
        *) die "unknown argument: $1" ;;
    esac
done
((${#names[@]})) || names=(todo postgres kafka prometheus postgres-exporter)

# The Containerfiles build for any architecture (amd64 here, arm64 for OKE's Ampere shapes):
# none names one.
arch=$(cd "$repo" && grep -nE 'amd64|x86_64|aarch64|arm64|x86-64' deploy/Containerfile \
    deploy/images/*.Containerfile deploy/images/*.sh | grep -vE '^[^:]+:[0-9]+:#' || true)
check "Containerfiles name no architecture${arch:+ ($arch)}" [ -z "$arch" ]
for n in "${names[@]}"; do
    case $n in
        todo) check_todo "localhost/todo:$tag" ;;
        postgres) check_postgres ;;
        kafka) check_kafka ;;
        prometheus) check_prometheus ;;
        postgres-exporter) check_postgres_exporter ;;
    esac
done
if [[ -n ${todo_ctr:-} && -n ${pg_url:-} && -n ${kafka_brokers:-} ]]; then
    check_stack
fi
echo "images check: $passed passed, $failed failed"
((failed == 0))
