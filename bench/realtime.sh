#!/usr/bin/env bash
# realtime.sh - the live-sync benchmark behind `make bench` (docs/benchmarks.md, "Realtime"):
# change -> WebSocket client latency with 1,000 sockets (bench/realtime.mjs) in the embedded
# mode (`todo serve`, SQLite) and in the Kafka mode (`todo api` + `todo audit` + `todo
# realtime` over a throw-away broker and PostgreSQL). Prints a Markdown table and the exact
# commands; raw output goes to build/bench/realtime-*.txt. Exits non-zero when a run failed.
#
# Knobs (environment): TODO_BIN (build/todo), BENCH_OUT (build/bench), and what
# bench/realtime.mjs reads (BENCH_CONNECTIONS 1000, BENCH_USERS 10, BENCH_CHANGES 200,
# BENCH_WARMUP 10, BENCH_DEADLINE_MS 30000).
set -euo pipefail

cd "$(dirname "$0")/.."
out_dir=${BENCH_OUT:-build/bench}
export TODO_BIN=${TODO_BIN:-$PWD/build/todo}

say() { printf 'bench-realtime: %s\n' "$*" >&2; }

[[ -x "$TODO_BIN" ]] || { say "no binary at $TODO_BIN; run 'make build' first"; exit 1; }
# the ws client (tests/blackbox) and the event tier's helpers (tests/events), as their tiers
# install them
source scripts/lib/npm.sh
npm_ci_if_changed tests/blackbox
npm_ci_if_changed tests/events
mkdir -p "$out_dir"

names=(embedded kafka)
cmds=("node bench/realtime.mjs embedded"
      "scripts/with-postgres.sh scripts/with-kafka.sh node bench/realtime.mjs kafka")
failed=0
for i in "${!names[@]}"; do
    raw="$out_dir/realtime-${names[$i]}.txt"
    say "run ${names[$i]}: ${cmds[$i]}"
    if ! ${cmds[$i]} >"$raw" 2>&1; then
        failed=1
        say "run ${names[$i]} failed; last lines of $raw:"
        tail -n 15 "$raw" >&2
    fi
done

val() { awk -v k="$2" '$1 == "RESULT" { for (i = 2; i <= NF; i++) { split($i, a, "=");
        if (a[1] == k) print a[2] } }' "$out_dir/realtime-$1.txt"; }
ms() { [[ -n "$1" ]] && printf '%s ms' "$1" || printf '—'; }

cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
report="$out_dir/realtime-results.md"
{
    echo "### $(date -u +%Y-%m-%dT%H:%M:%SZ) — commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
    echo
    echo "Machine: $(nproc) CPUs${cpu:+ ($cpu)}, $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg)."
    echo
    echo "| mode | store | sockets | pushes | push p50 | p99 | max | PATCH p50 | p99 | hub RSS before → with sockets |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    for n in "${names[@]}"; do
        [[ -f "$out_dir/realtime-$n.txt" ]] || continue
        echo "| $n | $(val "$n" store) | $(val "$n" connections) | $(val "$n" deliveries) |" \
             "$(ms "$(val "$n" push_p50_ms)") | $(ms "$(val "$n" push_p99_ms)") | $(ms "$(val "$n" push_max_ms)") |" \
             "$(ms "$(val "$n" write_p50_ms)") | $(ms "$(val "$n" write_p99_ms)") |" \
             "$(val "$n" rss_before_kb) kB → $(val "$n" rss_open_kb) kB |"
    done
    echo
    echo "Commands:"
    echo
    echo '```sh'
    printf '%s\n' "${cmds[@]}"
    echo '```'
} >"$report"
cat "$report"
say "raw output and this table: $out_dir/"
exit "$failed"
