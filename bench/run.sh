#!/usr/bin/env bash
# run.sh - the HTTP benchmark behind `make bench` (docs/benchmarks.md explains the method).
#
# Starts `todo serve` on a free loopback port with a throw-away SQLite data directory and no
# access log, signs up a user, seeds tasks through the API (bench/seed.mjs), then runs wrk
# against: list, list with full-text search, get one task, create, the count for a filter, and
# the web UI's page and its largest script (gzip) when web/out is built. Prints a
# Markdown table (req/s, p50, p99) and the exact commands; raw wrk output goes to
# build/bench/. Exits non-zero when any run saw non-2xx responses (socket errors are shown).
#
# Knobs (environment): TODO_BIN (build/todo), BENCH_TASKS (10000), BENCH_THREADS (2),
# BENCH_CONNECTIONS (64), BENCH_DURATION (10s), BENCH_OUT (build/bench),
# BENCH_SERVER_THREADS (unset: the server's default, one per CPU).
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
bin=${TODO_BIN:-build/todo}
n_tasks=${BENCH_TASKS:-10000}
wrk_threads=${BENCH_THREADS:-2}
wrk_conns=${BENCH_CONNECTIONS:-64}
wrk_duration=${BENCH_DURATION:-10s}
out_dir=${BENCH_OUT:-build/bench}

say() { printf 'bench: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# wrk, curl and node come from the test dependencies (a fast no-op when present).
scripts/bootstrap.sh --test
for tool in wrk curl node; do
    command -v "$tool" >/dev/null || die "$tool not found (scripts/bootstrap.sh --test installs it)"
done
[[ -x "$bin" ]] || die "$bin not found; run 'make build' first"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/todo-bench.XXXXXX")
server_pid=
cleanup() {
    local rc=$?
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
    if ((rc != 0)) && [[ -s "$tmp/server.log" ]]; then
        say "last server log lines:"
        tail -n 20 "$tmp/server.log" >&2 || true
    fi
    rm -rf "$tmp"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A free loopback port: bind port 0, read it back, release it.
port=$(node -e 'const s = require("net").createServer();
  s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')
base="http://127.0.0.1:$port"

export TODO_LISTEN="127.0.0.1:$port"
export TODO_DATA_DIR="$tmp/data"
export TODO_DATABASE_URL="sqlite:$tmp/data/todo.db"
export TODO_ACCESS_LOG=0
export TODO_WEB_DIR="$root/web/out"
export TODO_LOG_LEVEL=warn
if [[ -n "${BENCH_SERVER_THREADS:-}" ]]; then export TODO_THREADS="$BENCH_SERVER_THREADS"; fi
mkdir -p "$TODO_DATA_DIR" "$out_dir"

"$bin" migrate >"$tmp/migrate.log" 2>&1 || { cat "$tmp/migrate.log" >&2; die "todo migrate failed"; }
"$bin" serve >"$tmp/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
    curl -fsS -o /dev/null "$base/readyz" 2>/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || die "todo serve exited at start"
    sleep 0.1
done
curl -fsS -o /dev/null "$base/readyz" || die "todo serve not ready on $base after 10 s"
say "server $("$bin" version 2>/dev/null | head -n 1) on $base (pid $server_pid)"

# One user; its token and id.
signup=$(curl -sS -X POST "$base/api/auth/signup" -H 'Content-Type: application/json' \
    --data '{"email":"bench@example.com","password":"bench-password-1","name":"Bench"}' \
    -w '\n%{http_code}')
[[ "${signup##*$'\n'}" == 201 ]] || die "signup failed: $signup"
read -r user_id token < <(node -e '
  const a = JSON.parse(process.argv[1]); console.log(a.user.id, a.token);' "${signup%$'\n'*}")

say "seeding $n_tasks tasks through the API"
seed=$(node bench/seed.mjs "$base" "$user_id" "$token" "$n_tasks" 32) || die "seeding failed"
say "seeded: $seed"
first_id=$(node -e 'console.log(JSON.parse(process.argv[1]).first_id)' "$seed")

tasks_url="$base/api/$user_id/tasks"
# create runs after the reads: it adds tasks that would change them
names=(list search get count create)
urls=("$tasks_url?limit=50" "$tasks_url?q=groc&limit=50" "$tasks_url/$first_id"
      "$tasks_url/count?status=pending&due=week" "$tasks_url")
extra=("" "" "" "" "-s bench/create.lua")
labels=('`GET /api/{user_id}/tasks?limit=50`' '`GET /api/{user_id}/tasks?q=groc&limit=50`'
        '`GET /api/{user_id}/tasks/{id}`' '`GET /api/{user_id}/tasks/count?status=pending&due=week`'
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

failed=0
rows=()
commands=()
for i in "${!names[@]}"; do
    name=${names[$i]}
    raw="$out_dir/wrk-$name.txt"
    # shellcheck disable=SC2086 # extra is deliberately split into words
    cmd=(wrk -t"$wrk_threads" -c"$wrk_conns" -d"$wrk_duration" --latency ${extra[$i]}
         -H "Authorization: Bearer $token" "${urls[$i]}")
    commands+=("wrk -t$wrk_threads -c$wrk_conns -d$wrk_duration --latency ${extra[$i]:+${extra[$i]} }-H \"Authorization: Bearer \$TOKEN\" '${urls[$i]}'")
    say "run $name: ${labels[$i]}"
    "${cmd[@]}" >"$raw" 2>&1 || { cat "$raw" >&2; die "wrk failed for $name"; }
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
    rows+=("| $name | ${labels[$i]} | ${rps:-?} | ${p50:-?} | ${p99:-?} | ${total:-0} | ${note:-ok} |")
done

cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
report="$out_dir/results.md"
{
    echo "### $(date -u +%Y-%m-%dT%H:%M:%SZ) — $("$bin" version 2>/dev/null | head -n 1)"
    echo
    echo "Machine: $(nproc) CPUs${cpu:+ ($cpu)}, $(uname -sr); SQLite; $n_tasks tasks seeded;"
    echo "wrk $wrk_threads threads, $wrk_conns connections, $wrk_duration per run, on the same machine over loopback."
    echo
    echo "| run | request | req/s | p50 | p99 | requests | errors |"
    echo "|---|---|---:|---:|---:|---:|---|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "Commands (\$TOKEN is the bench user's token; the user id and port change per run):"
    echo
    echo '```sh'
    printf '%s\n' "${commands[@]}"
    echo '```'
} >"$report"
cat "$report"
say "raw wrk output and this table: $out_dir/"

if ((failed)); then
    say "FAILED: a run had non-2xx responses or no completed requests (see $out_dir/wrk-*.txt)"
    exit 1
fi
