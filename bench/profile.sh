#!/usr/bin/env bash
# profile.sh - instruction counts of the read path (docs/benchmarks.md, "Read path profile").
#
# Seeds BENCH_TASKS tasks (10000) through the API like bench/run.sh, then restarts `todo serve`
# on the same database under valgrind's callgrind and sends PROFILE_REQUESTS (500) requests of
# each kind, one after another on one keep-alive connection: list (first page of 50), search
# (q=groc: 921 matches, first 50), search for a rare word (q=4321: one task), get, count.
# Counters are zeroed before and dumped after each kind, so a figure is the server's
# instructions (every thread) per request, without start-up or seeding. Instruction counts do
# not depend on the machine's load, unlike req/s: compare them before/after a change. Prints
# a Markdown table; the callgrind files and callgrind_annotate's top functions go to
# PROFILE_OUT (build/profile).
#
# Knobs: TODO_BIN (build/todo), BENCH_TASKS (10000), PROFILE_REQUESTS (500),
# PROFILE_OUT (build/profile).
set -euo pipefail

cd "$(dirname "$0")/.."
bin=${TODO_BIN:-build/todo}
n_tasks=${BENCH_TASKS:-10000}
n_requests=${PROFILE_REQUESTS:-500}
out_dir=${PROFILE_OUT:-build/profile}

say() { printf 'profile: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

for tool in valgrind callgrind_control callgrind_annotate curl node; do
    command -v "$tool" >/dev/null || die "$tool not found"
done
[[ -x "$bin" ]] || die "$bin not found; run 'make build' first"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/todo-profile.XXXXXX")
server_pid=
stop_server() {
    [[ -n "$server_pid" ]] || return 0
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 600); do
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
}
cleanup() {
    local rc=$?
    stop_server
    rm -rf "$tmp"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# a free loopback port (scripts/lib/ports.sh)
source scripts/lib/ports.sh
port=$(free_port)
base="http://127.0.0.1:$port"
export TODO_LISTEN="127.0.0.1:$port"
export TODO_DATA_DIR="$tmp/data"
export TODO_DATABASE_URL="sqlite:$tmp/data/todo.db"
export TODO_ACCESS_LOG=0
export TODO_LOG_LEVEL=warn
mkdir -p "$TODO_DATA_DIR" "$out_dir"
rm -f "$out_dir"/callgrind.out.*

# Starts the server (under the given wrapper, if any) and waits up to 120 s for /readyz.
start_server() {
    "$@" "$bin" serve >>"$tmp/server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1200); do
        curl -fsS -o /dev/null "$base/readyz" 2>/dev/null && return 0
        kill -0 "$server_pid" 2>/dev/null || die "todo serve exited at start: $(tail -n 5 "$tmp/server.log")"
        sleep 0.1
    done
    die "todo serve not ready on $base"
}

"$bin" migrate >"$tmp/migrate.log" 2>&1 || { cat "$tmp/migrate.log" >&2; die "todo migrate failed"; }
start_server
signup=$(curl -sS -X POST "$base/api/auth/signup" -H 'Content-Type: application/json' \
    --data '{"email":"bench@example.com","password":"bench-password-1","name":"Bench"}')
read -r user_id token < <(node -e '
  const a = JSON.parse(process.argv[1]); console.log(a.user.id, a.token);' "$signup")
say "seeding $n_tasks tasks through the API"
seed=$(node bench/seed.mjs "$base" "$user_id" "$token" "$n_tasks" 32) || die "seeding failed"
first_id=$(node -e 'console.log(JSON.parse(process.argv[1]).first_id)' "$seed")
n_match=$(curl -fsS -H "Authorization: Bearer $token" "$base/api/$user_id/tasks/count?q=groc")
say "seeded: $seed; q=groc matches: $n_match"
stop_server

say "restarting under callgrind"
start_server valgrind --tool=callgrind --callgrind-out-file="$out_dir/callgrind.out.%p" \
    --dump-line=no
vg_pid=$server_pid

tasks_url="$base/api/$user_id/tasks"
names=(list search search_rare get count)
urls=("$tasks_url?limit=50" "$tasks_url?q=groc&limit=50" "$tasks_url?q=4321&limit=50"
      "$tasks_url/$first_id" "$tasks_url/count?status=pending&due=week")

# N sequential GETs on one keep-alive connection; any non-200 fails.
requests() {
    node -e '
      const http = require("http");
      const [url, token, n] = [process.argv[1], process.argv[2], Number(process.argv[3])];
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const one = () => new Promise((ok, fail) => {
        http.get(url, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
          res.resume();
          res.on("end", () => res.statusCode === 200 ? ok() : fail(new Error(`HTTP ${res.statusCode}`)));
        }).on("error", fail);
      });
      (async () => { for (let i = 0; i < n; i++) await one(); agent.destroy(); })()
        .catch((e) => { console.error(e.message); process.exit(1); });
    ' "$1" "$token" "$2"
}

rows=()
for i in "${!names[@]}"; do
    name=${names[$i]}
    requests "${urls[$i]}" 5 # warm: statement caches, token cache
    callgrind_control -z "$vg_pid" >/dev/null 2>&1
    requests "${urls[$i]}" "$n_requests"
    before=$(ls "$out_dir"/callgrind.out.* 2>/dev/null | wc -l)
    callgrind_control -d "$name" "$vg_pid" >/dev/null 2>&1
    for _ in $(seq 100); do
        (($(ls "$out_dir"/callgrind.out.* | wc -l) > before)) && break
        sleep 0.1
    done
    dump=$(ls -t "$out_dir"/callgrind.out.* | head -n 1)
    mv "$dump" "$out_dir/callgrind.$name"
    total=$(awk '/^(summary|totals):/ { print $2; exit }' "$out_dir/callgrind.$name")
    per=$((total / n_requests))
    callgrind_annotate --threshold=100 "$out_dir/callgrind.$name" 2>/dev/null | awk "NR <= 80" \
        >"$out_dir/top-$name.txt"
    rows+=("| $name | $per | $total |")
    say "$name: $per instructions per request"
done

echo "| request | instructions per request | total for $n_requests |"
echo "|---|---:|---:|"
printf '%s\n' "${rows[@]}"
say "callgrind files and top functions: $out_dir/"
