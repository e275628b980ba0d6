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
bench=realtime
source bench/lib.sh

bench_need_todo
# the ws client (tests/blackbox) and the event tier's helpers (tests/events), as their tiers
# install them
source scripts/lib/npm.sh
npm_ci_if_changed tests/blackbox
npm_ci_if_changed tests/events

names=(embedded kafka)
cmds=("node bench/realtime.mjs embedded"
      "scripts/with-postgres.sh scripts/with-kafka.sh node bench/realtime.mjs kafka")
bench_run_all

table() {
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
}
bench_report table ", $(load_avg)."
