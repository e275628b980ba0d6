#!/usr/bin/env bash
# assistant.sh - the assistant benchmark behind `make bench` (docs/benchmarks.md,
# "Assistant"): (1) the parser alone, bench/nlp_bench.c over the development set's messages
# (messages/s, ns per message); (2) the chat round trip in built-in mode: `todo serve` on a
# throw-away SQLite file, one user, wrk POST /api/{user_id}/chat (bench/chat.lua) at 64
# connections, p50/p99 beside GET /healthz's in the same run. Prints a Markdown table and the
# exact commands; raw output goes to build/bench/assistant-*.txt. Exits non-zero when a run
# saw non-2xx responses or failed.
#
# Knobs (environment): TODO_BIN (build/todo), BUILD (build), BENCH_OUT (build/bench),
# BENCH_NLP_ROUNDS (200), BENCH_THREADS (2), BENCH_CONNECTIONS (64), BENCH_DURATION (10s).
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
bench=assistant
source bench/lib.sh
build=${BUILD:-build}
rounds=${BENCH_NLP_ROUNDS:-200}
wrk_threads=${BENCH_THREADS:-2}
wrk_conns=${BENCH_CONNECTIONS:-64}
wrk_duration=${BENCH_DURATION:-10s}
die() { say "$*"; exit 1; }

bench_need_todo
scripts/bootstrap.sh --test
need_hint="scripts/bootstrap.sh --test installs it"
bench_need wrk curl node
cmake --build "$build" --target nlp_bench >&2
mkdir -p "$out_dir"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/todo-bench-assistant.XXXXXX")
server_pid=
cleanup() {
    local rc=$?
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    ((rc == 0)) || tail -n 20 "$tmp/server.log" >&2 2>/dev/null || true
    rm -rf "$tmp"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# (1) the parser alone
names=(parser)
cmds=("$build/nlp_bench tests/assistant/devset.jsonl $rounds")
bench_run_all

# (2) the chat round trip: a server, a user, wrk
source scripts/lib/ports.sh
port=$(free_port)
base="http://127.0.0.1:$port"
export TODO_LISTEN="127.0.0.1:$port" TODO_DATA_DIR="$tmp/data" TODO_ACCESS_LOG=0
export TODO_DATABASE_URL="sqlite:$tmp/data/todo.db" TODO_LOG_LEVEL=warn
unset TODO_LLM_BASE_URL TODO_LLM_MODEL # built-in mode
mkdir -p "$TODO_DATA_DIR"
"$TODO_BIN" serve >"$tmp/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 2000); do
    curl -fsS -m 1 -o /dev/null "$base/readyz" 2>/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || die "todo serve exited at start"
    sleep 0.01
done
curl -fsS -m 1 -o /dev/null "$base/readyz" || die "todo serve not ready on $base"
signup=$(curl -sS -X POST "$base/api/auth/signup" -H 'Content-Type: application/json' \
    --data '{"email":"bench-assistant@example.com","password":"bench-password-1",
             "timezone":"America/New_York"}')
read -r user_id token < <(node -e '
  const a = JSON.parse(process.argv[1]); console.log(a.user.id, a.token);' "$signup")
[[ -n "$token" ]] || die "signup failed: $signup"

wrk_row() { # name label url [wrk args...]
    local name=$1 label=$2 url=$3 raw="$out_dir/assistant-$1.txt"
    shift 3
    say "run $name: $label"
    wrk -t"$wrk_threads" -c"$wrk_conns" -d"$wrk_duration" --latency "$@" \
        -H "Authorization: Bearer $token" "$url" >"$raw" 2>&1 || { cat "$raw" >&2; failed=1; }
    local rps p50 p99 non2xx
    rps=$(awk '$1 == "Requests/sec:" { print $2 }' "$raw")
    p50=$(awk '$1 == "50%" { print $2; exit }' "$raw")
    p99=$(awk '$1 == "99%" { print $2; exit }' "$raw")
    non2xx=$(awk -F': *' '/Non-2xx or 3xx responses/ { print $2 }' "$raw")
    [[ -z "$non2xx" && -n "$rps" ]] || failed=1
    rows+=("| $label | ${rps:-?} | ${p50:-?} | ${p99:-?} | ${non2xx:-0} |")
    cmds+=("wrk -t$wrk_threads -c$wrk_conns -d$wrk_duration --latency $* -H \"Authorization: Bearer \$TOKEN\" '$url'")
}
rows=()
# a turn must answer 200 before the load starts (the route, the brain and the store work)
status=$(curl -sS -o "$tmp/turn.json" -w '%{http_code}' -X POST "$base/api/$user_id/chat" \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    --data '{"message":"help"}')
[[ "$status" == 200 ]] || die "POST /chat answered $status: $(cat "$tmp/turn.json")"
wrk_row healthz '`GET /healthz`' "$base/healthz"
wrk_row chat '`POST /api/{user_id}/chat` (bench/chat.lua)' "$base/api/$user_id/chat" -s bench/chat.lua

table() {
    echo
    echo "Parser alone (\`nlp_bench\`, $(val parser distinct) dev-set messages × $rounds rounds," \
         "one thread): **$(val parser per_s) messages/s**; ns per message: mean $(val parser mean_ns)," \
         "p50 $(val parser p50_ns), p99 $(val parser p99_ns), max $(val parser max_ns)."
    echo
    echo "Chat round trip, built-in mode, SQLite, wrk $wrk_threads threads × $wrk_conns connections" \
         "× $wrk_duration, load average after the parser run ${loads[0]}:"
    echo
    echo "| request | req/s | p50 | p99 | non-2xx |"
    echo "|---|---:|---:|---:|---:|"
    printf '%s\n' "${rows[@]}"
}
bench_report table "; SQLite, loopback."
