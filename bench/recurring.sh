#!/usr/bin/env bash
# recurring.sh - the recurring benchmark behind `make bench` (docs/benchmarks.md, "Recurring"):
# completion -> successor latency (bench/recurring.mjs) in the embedded mode (`todo serve`,
# SQLite) and in the Kafka mode (`todo api`, `todo recurring`, `todo audit` over a throw-away
# broker and PostgreSQL: scripts/with-postgres.sh, scripts/with-kafka.sh). Prints a Markdown
# table and the exact commands; raw output goes to build/bench/recurring-*.txt. Exits non-zero
# when a run failed (a successor missing or doubled, a process not stopping cleanly).
#
# Knobs (environment): TODO_BIN (build/todo), BENCH_OUT (build/bench), and what
# bench/recurring.mjs reads (BENCH_COMPLETIONS 200, BENCH_WARMUP 10, BENCH_POLL_MS 2,
# BENCH_DEADLINE_MS 30000).
set -euo pipefail

cd "$(dirname "$0")/.."
bench=recurring
source bench/lib.sh

bench_need_todo
need_hint="scripts/bootstrap.sh --test" bench_need node npm
# the Kafka mode reuses the event tier's helpers (tests/events/lib/cluster.mjs), which load
# ajv: install it as scripts/test-events.sh does, only when not installed from this lock file
source scripts/lib/npm.sh
npm_ci_if_changed tests/events

names=(embedded kafka)
cmds=("node bench/recurring.mjs embedded"
      "scripts/with-postgres.sh scripts/with-kafka.sh node bench/recurring.mjs kafka")
bench_run_all

table() {
    echo "Kafka 3.9.2 and PostgreSQL 15 on loopback, same machine; polled every $(val embedded poll_ms) ms."
    echo
    echo "| mode | store | completions | visible p50 | p99 | max | successor's history p50 | p99 | max |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
    for n in "${names[@]}"; do
        [[ -f "$out_dir/recurring-$n.txt" ]] || continue
        echo "| $n | $(val "$n" store) | $(val "$n" n) | $(ms "$(val "$n" vis_p50_ms)") |" \
             "$(ms "$(val "$n" vis_p99_ms)") | $(ms "$(val "$n" vis_max_ms)") |" \
             "$(ms "$(val "$n" hist_p50_ms)") | $(ms "$(val "$n" hist_p99_ms)") | $(ms "$(val "$n" hist_max_ms)") |"
    done
}
bench_report table ", $(load_avg);"
