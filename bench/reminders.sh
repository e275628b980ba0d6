#!/usr/bin/env bash
# reminders.sh - the reminder benchmark behind `make bench` (docs/benchmarks.md, "Reminders"):
# 100,000 reminders due evenly over 60 s, firing lateness (fired_at - remind_at of every row)
# of the db scheduler, by bench/reminders.mjs: `todo serve` on SQLite, `todo serve` on
# PostgreSQL, two `todo api` replicas on one PostgreSQL (scripts/with-postgres.sh). Prints a
# Markdown table and the exact commands; raw output goes to build/bench/reminders-*.txt. Exits
# non-zero when a run failed (a reminder not fired, or fired twice).
#
# Knobs (environment): TODO_BIN (build/todo), BENCH_OUT (build/bench), and what
# bench/reminders.mjs reads (BENCH_REMINDERS 100000, BENCH_SPREAD_S 60, BENCH_LEAD_MS 8000).
set -euo pipefail

cd "$(dirname "$0")/.."
bench=reminders
source bench/lib.sh

bench_need_todo
bench_need node sqlite3

names=(sqlite postgres postgres-2)
cmds=("node bench/reminders.mjs"
      "scripts/with-postgres.sh env TODO_TEST_DATABASE=postgres node bench/reminders.mjs"
      "scripts/with-postgres.sh env TODO_TEST_DATABASE=postgres BENCH_REPLICAS=2 node bench/reminders.mjs")
bench_run_all

table() {
    echo
    echo "| store | schedulers | reminders | over | lateness p50 | p99 | max | mean | load avg (1 min) after |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    for i in "${!names[@]}"; do
        n=${names[$i]}
        [[ -f "$out_dir/reminders-$n.txt" ]] || continue
        echo "| $(val "$n" store) | $(val "$n" replicas) | $(val "$n" n) | $(val "$n" spread_s) s |" \
             "$(ms "$(val "$n" p50_ms)") | $(ms "$(val "$n" p99_ms)") | $(ms "$(val "$n" max_ms)") |" \
             "$(ms "$(val "$n" mean_ms)") | ${loads[$i]} |"
    done
}
bench_report table "; PostgreSQL 15 on loopback."
