#!/usr/bin/env bash
# run.sh - the HTTP benchmark behind `make bench` (docs/benchmarks.md explains the method).
#
# Seeds a throw-away database straight through the store (bench/seed.c: BENCH_SCALE=10k, one
# user with 10,000 tasks; 1m, one user with 1,000,000 tasks plus 10,000 users with 100 each),
# times `todo serve`'s start to /readyz 200 on it, signs the bench user in, then runs wrk
# against: /healthz (the machine's ceiling, for ratios), list, full-text prefix search, get,
# count, complete (toggle), create, and the web UI's page and largest script (gzip) when
# web/out is built; the server's VmRSS is sampled during each run. Last, create -> audit entry
# visible at a fixed rate of creates (bench/event_path.mjs). Prints a Markdown table and the
# exact commands; raw output goes to build/bench/. Exits non-zero when any run saw non-2xx
# responses (socket errors are shown) or a create of the event path failed.
#
# Knobs (environment): BENCH_SCALE (10k | 1m), BENCH_DB (sqlite | postgres: a throw-away
# server through scripts/with-postgres.sh), TODO_BIN (build/todo), BUILD (build),
# BENCH_THREADS (2), BENCH_CONNECTIONS (64), BENCH_DURATION (10s), BENCH_OUT (build/bench),
# BENCH_SERVER_THREADS (unset: the server's default, one per CPU), BENCH_EVENT_RATE (2000),
# BENCH_EVENT_SECONDS (10; 0 skips the event path), BENCH_RESEED (1: seed even when
# build/bench/seed-cache/ holds a database seeded by the same bench_seed binary).
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
scale=${BENCH_SCALE:-10k}
db_kind=${BENCH_DB:-sqlite}
# PostgreSQL: rerun under a throw-away server (it exports TODO_TEST_POSTGRES_BASE_URL)
if [[ "$db_kind" == postgres && -z "${TODO_TEST_POSTGRES_BASE_URL:-}" ]]; then
    exec scripts/with-postgres.sh "$0" "$@"
fi
build=${BUILD:-build}
bin=${TODO_BIN:-$build/todo}
wrk_threads=${BENCH_THREADS:-2}
wrk_conns=${BENCH_CONNECTIONS:-64}
wrk_duration=${BENCH_DURATION:-10s}
out_dir=${BENCH_OUT:-build/bench}
event_rate=${BENCH_EVENT_RATE:-2000}
event_seconds=${BENCH_EVENT_SECONDS:-10}

say() { printf 'bench: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

case "$scale" in
    10k) seed_args=(--tasks 10000) ;;
    1m) seed_args=(--tasks 1000000 --users 10000 --user-tasks 100 --batch 100000) ;;
    *) die "BENCH_SCALE must be 10k or 1m, not '$scale'" ;;
esac
[[ "$db_kind" == sqlite || "$db_kind" == postgres ]] || die "BENCH_DB must be sqlite or postgres"

# wrk, curl and node come from the test dependencies (a fast no-op when present).
scripts/bootstrap.sh --test
for tool in wrk curl node; do
    command -v "$tool" >/dev/null || die "$tool not found (scripts/bootstrap.sh --test installs it)"
done
[[ -x "$bin" ]] || die "$bin not found; run 'make build' first"
cmake --build "$build" --target bench_seed >&2

tmp=$(mktemp -d "${TMPDIR:-/tmp}/todo-bench.XXXXXX")
server_pid=
stop_server() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        for _ in $(seq 100); do
            kill -0 "$server_pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$server_pid" 2>/dev/null; then
            say "server did not stop within 10 s of SIGTERM; killing it"
            kill -KILL "$server_pid" 2>/dev/null || true
        fi
        wait "$server_pid" 2>/dev/null || true
    fi
    server_pid=
}
cleanup() {
    local rc=$?
    stop_server
    if ((rc != 0)) && [[ -s "$tmp/server.log" ]]; then
        say "last server log lines:"
        tail -n 20 "$tmp/server.log" >&2 || true
    fi
    rm -rf "$tmp"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# a free loopback port (scripts/lib/ports.sh)
source "$root/scripts/lib/ports.sh"
port=$(free_port)
base="http://127.0.0.1:$port"

export TODO_LISTEN="127.0.0.1:$port"
export TODO_DATA_DIR="$tmp/data"
if [[ "$db_kind" == postgres ]]; then
    db_name="bench_$$"
    "$TODO_TEST_PSQL" "$TODO_TEST_POSTGRES_BASE_URL/postgres" -qc "CREATE DATABASE $db_name" >/dev/null
    export TODO_DATABASE_URL="$TODO_TEST_POSTGRES_BASE_URL/$db_name"
else
    export TODO_DATABASE_URL="sqlite:$tmp/data/todo.db"
fi
export TODO_ACCESS_LOG=0
export TODO_WEB_DIR="$root/web/out"
export TODO_LOG_LEVEL=warn
if [[ -n "${BENCH_SERVER_THREADS:-}" ]]; then export TODO_THREADS="$BENCH_SERVER_THREADS"; fi
mkdir -p "$TODO_DATA_DIR" "$out_dir"

"$bin" migrate >"$tmp/migrate.log" 2>&1 || { cat "$tmp/migrate.log" >&2; die "todo migrate failed"; }
export BENCH_IDS="$out_dir/ids.txt"
# SQLite: a seeded database is kept under build/bench/seed-cache/, keyed by the seeder's binary
# (it changes with the store's code), the scale and the day, so a rerun copies it instead of seeding
# again (BENCH_RESEED=1 forces seeding; the seeding time shown is the original one).
cache_dir=$out_dir/seed-cache
key="$scale-$(date -u +%F)-$(sha256sum "$build/bench_seed" | cut -c1-12)" # due dates are relative to the day
if [[ "$db_kind" == sqlite && -z "${BENCH_RESEED:-}" && -f "$cache_dir/$key.db" ]]; then
    say "seeded database from $cache_dir/$key.db"
    cp "$cache_dir/$key.db" "$tmp/data/todo.db"
    cp "$cache_dir/$key.ids" "$BENCH_IDS"
    seed=$(cat "$cache_dir/$key.json")
else
    say "seeding ($scale): $build/bench_seed URL ${seed_args[*]}"
    seed=$("$build/bench_seed" "$TODO_DATABASE_URL" "${seed_args[@]}" --ids "$BENCH_IDS") ||
        die "seeding failed"
    if [[ "$db_kind" == sqlite ]]; then
        rm -rf "$cache_dir" && mkdir -p "$cache_dir" # one scale kept: 1m takes 1.2 GB
        # the seeder's last connection checkpointed and removed the WAL as it closed
        [[ ! -s "$tmp/data/todo.db-wal" ]] || die "bench_seed left a WAL behind"
        cp "$tmp/data/todo.db" "$cache_dir/$key.db"
        cp "$BENCH_IDS" "$cache_dir/$key.ids"
        printf '%s\n' "$seed" >"$cache_dir/$key.json"
    fi
fi
seed_s=$(node -e 'console.log(JSON.parse(process.argv[1]).seconds.toFixed(1))' "$seed")
say "seeded in $seed_s s"
if [[ "$db_kind" == sqlite ]]; then
    db_size=$(du -sh "$tmp/data" | cut -f1)
else
    db_size=$("$TODO_TEST_PSQL" "$TODO_DATABASE_URL" -tAc "SELECT pg_size_pretty(pg_database_size(current_database()))")
fi

# Start to /readyz 200 on the seeded database: /dev/tcp probes (no process per try), ~1 ms
# resolution; the clock starts just before the fork.
readyz_once() {
    local line
    { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || return 1
    printf 'GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
    read -r -t 2 line <&3 || line=
    exec 3<&-
    [[ "$line" == *" 200 "* ]]
}
t0=$EPOCHREALTIME
"$bin" serve >"$tmp/server.log" 2>&1 &
server_pid=$!
ready_ms=
for _ in $(seq 20000); do
    if readyz_once; then
        ready_ms=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", (b - a) * 1000 }')
        break
    fi
    kill -0 "$server_pid" 2>/dev/null || die "todo serve exited at start"
    sleep 0.001
done
[[ -n "$ready_ms" ]] || die "todo serve not ready on $base"
say "server $("$bin" version 2>/dev/null | head -n 1) on $base (pid $server_pid): /readyz 200 after $ready_ms ms"

# The seeded bench user signs in; its token and id.
email=$(node -e 'console.log(JSON.parse(process.argv[1]).email)' "$seed")
password=$(node -e 'console.log(JSON.parse(process.argv[1]).password)' "$seed")
login=$(curl -sS -X POST "$base/api/auth/login" -H 'Content-Type: application/json' \
    --data "{\"email\":\"$email\",\"password\":\"$password\"}" -w '\n%{http_code}')
[[ "${login##*$'\n'}" == 200 ]] || die "login failed: $login"
read -r user_id token < <(node -e '
  const a = JSON.parse(process.argv[1]); console.log(a.user.id, a.token);' "${login%$'\n'*}")

# Server memory from /proc: VmRSS now, VmHWM the peak since the last reset_hwm (writing 5 to
# clear_refs resets it; the sign-in's argon2id buffer, 64 MB, would otherwise be the peak).
vm() { awk -v k="$1:" '$1 == k { print int($2 / 1024) }' "/proc/$server_pid/status" 2>/dev/null; }
reset_hwm() { echo 5 >"/proc/$server_pid/clear_refs" 2>/dev/null || true; }
rss_start=$(vm VmRSS)

tasks_url="$base/api/$user_id/tasks"
# complete and create run after the reads: they change what the reads see
names=(healthz list search get count complete create)
urls=("$base/healthz" "$tasks_url?limit=50" "$tasks_url?q=groc&limit=50" "$tasks_url"
      "$tasks_url/count?status=pending&due=week" "$tasks_url" "$tasks_url")
extra=("" "" "" "-s bench/get.lua" "" "-s bench/complete.lua" "-s bench/create.lua")
labels=('`GET /healthz`' '`GET /api/{user_id}/tasks?limit=50`' '`GET /api/{user_id}/tasks?q=groc&limit=50`'
        '`GET /api/{user_id}/tasks/{id}` (bench/get.lua)'
        '`GET /api/{user_id}/tasks/count?status=pending&due=week`'
        '`PATCH /api/{user_id}/tasks/{id}/complete` (toggle, bench/complete.lua)'
        '`POST /api/{user_id}/tasks` (bench/create.lua)')
# the web UI, served from memory (ADR 0013): the page, and the largest script as gzip
if [[ -f web/out/index.html ]]; then
    asset=$(cd web/out && find _next/static -name '*.js' -printf '%s %p\n' | sort -n | tail -n 1 | cut -d' ' -f2)
    names+=(page asset)
    urls+=("$base/" "$base/$asset")
    extra+=("" "-s bench/gzip.lua")
    labels+=('`GET /` (index.html)' "\`GET /$asset\` (gzip, bench/gzip.lua)")
else
    say "web/out not built (make web): skipping the web UI runs"
fi

# wrk prints latency with its own unit (us, ms, s); keep it as printed.
field() { awk -v k="$1" '$1 == k { print $2; exit }' "$2"; }

# Before each run: the server has finished what the previous one left queued (wrk gives up on
# a request after 2 s, the server still answers it): /healthz answers within 100 ms 3 times.
settle() {
    local ok=0
    for _ in $(seq 600); do
        if curl -fsS -m 0.1 -o /dev/null "$base/healthz" 2>/dev/null; then
            ok=$((ok + 1))
            ((ok < 3)) || return 0
        else
            ok=0
        fi
        sleep 0.05
    done
    say "the server stayed busy for 30 s after the previous run"
}

failed=0
rows=()
commands=()
for i in "${!names[@]}"; do
    name=${names[$i]}
    settle
    raw="$out_dir/wrk-$name.txt"
    # shellcheck disable=SC2086 # extra is deliberately split into words
    cmd=(wrk -t"$wrk_threads" -c"$wrk_conns" -d"$wrk_duration" --latency ${extra[$i]}
         -H "Authorization: Bearer $token" "${urls[$i]}")
    commands+=("wrk -t$wrk_threads -c$wrk_conns -d$wrk_duration --latency ${extra[$i]:+${extra[$i]} }-H \"Authorization: Bearer \$TOKEN\" '${urls[$i]}'")
    say "run $name: ${labels[$i]}"
    reset_hwm
    "${cmd[@]}" >"$raw" 2>&1 || { cat "$raw" >&2; die "wrk failed for $name"; }
    rss_max=$(vm VmHWM)
    rps=$(awk '$1 == "Requests/sec:" { print $2 }' "$raw")
    p50=$(field 50% "$raw")
    p99=$(field 99% "$raw")
    total=$(awk '/requests in/ { print $1; exit }' "$raw")
    non2xx=$(awk -F': *' '/Non-2xx or 3xx responses/ { print $2 }' "$raw")
    sockerr=$(awk '/Socket errors/ { sub(/^ *Socket errors: */, ""); print }' "$raw")
    note=""
    if [[ -n "$non2xx" ]]; then
        note="$non2xx non-2xx"
        failed=1
    fi
    if [[ -n "$sockerr" ]]; then
        # Reported, not fatal: wrk counts its own timeouts and closed keep-alives here.
        note="${note:+$note; }socket errors: $sockerr"
    fi
    if [[ -z "$rps" || "${total:-0}" == 0 ]]; then
        note="${note:+$note; }no requests completed"
        failed=1
    fi
    rows+=("| $name | ${labels[$i]} | ${rps:-?} | ${p50:-?} | ${p99:-?} | ${total:-0} | $rss_max MB | ${note:-ok} |")
done

# create -> audit entry visible, at a fixed rate of creates
event_cmd="node bench/event_path.mjs \$BASE \$USER_ID \$TOKEN $event_rate $event_seconds"
event_row=
if ((event_seconds > 0)); then
    say "run event path: $event_rate creates/s for $event_seconds s"
    raw="$out_dir/event-path.txt"
    settle
    reset_hwm
    if ! node bench/event_path.mjs "$base" "$user_id" "$token" "$event_rate" "$event_seconds" >"$raw" 2>&1; then
        failed=1
        say "the event path run failed; last lines of $raw:"
        tail -n 5 "$raw" >&2
    fi
    val() { awk -v k="$1" '$1 == "RESULT" { for (i = 2; i <= NF; i++) { split($i, a, "=");
            if (a[1] == k) print a[2] } }' "$raw"; }
    event_row="| $(val rate)/s asked, $(val reached)/s reached | $(val creates) | $(val create_p50_ms) ms | $(val create_p99_ms) ms | $(val tracked) ($(val missed) not within 10 s) | $(val vis_p50_ms) ms | $(val vis_p99_ms) ms | $(val vis_max_ms) ms | $(vm VmHWM) MB |"
fi

cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
report="$out_dir/results-$scale-$db_kind.md"
{
    echo "### $(date -u +%Y-%m-%dT%H:%M:%SZ) — commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $db_kind, scale $scale"
    echo
    echo "Machine: $(nproc) CPUs${cpu:+ ($cpu)}, $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg) at the end;"
    echo "seeded $(node -e 'const s = JSON.parse(process.argv[1]); console.log(`${s.tasks} tasks for the bench user + ${s.users} users × ${s.user_tasks}`)' "$seed")"
    echo "in $seed_s s ($db_size); start to /readyz 200: $ready_ms ms; server VmRSS $rss_start MB after start and sign-in."
    echo "wrk $wrk_threads threads, $wrk_conns connections, $wrk_duration per run, on the same machine over loopback."
    echo
    echo "| run | request | req/s | p50 | p99 | requests | VmHWM | errors |"
    echo "|---|---|---:|---:|---:|---:|---:|---|"
    printf '%s\n' "${rows[@]}"
    if [[ -n "$event_row" ]]; then
        echo
        echo "Event path (create → audit entry visible; bench/event_path.mjs, every ${BENCH_TRACK:-10}th create tracked, polled every ${BENCH_POLL_MS:-1} ms):"
        echo
        echo "| rate | creates | create p50 | create p99 | tracked | visible p50 | p99 | max | VmHWM |"
        echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
        echo "$event_row"
    fi
    echo
    echo "Commands (\$TOKEN is the bench user's token; the user id and port change per run; BENCH_IDS=build/bench/ids.txt):"
    echo
    echo '```sh'
    echo "BENCH_SCALE=$scale BENCH_DB=$db_kind bench/run.sh"
    echo "$build/bench_seed \$DATABASE_URL ${seed_args[*]} --ids build/bench/ids.txt"
    printf '%s\n' "${commands[@]}"
    if ((event_seconds > 0)); then echo "$event_cmd"; fi
    echo '```'
} >"$report"
cat "$report"
say "raw output and this table: $out_dir/"

if ((failed)); then
    say "FAILED: a run had non-2xx responses, no completed requests or failed creates (see $out_dir/)"
    exit 1
fi
