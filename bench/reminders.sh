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
out_dir=${BENCH_OUT:-build/bench}
export TODO_BIN=${TODO_BIN:-$PWD/build/todo}

say() { printf 'bench-reminders: %s\n' "$*" >&2; }

[[ -x "$TODO_BIN" ]] || { say "no binary at $TODO_BIN; run 'make build' first"; exit 1; }
for c in node sqlite3; do
    command -v "$c" >/dev/null || { say "$c is required"; exit 1; }
done
mkdir -p "$out_dir"

names=(sqlite postgres postgres-2)
cmds=("node bench/reminders.mjs"
      "scripts/with-postgres.sh env TODO_TEST_DATABASE=postgres node bench/reminders.mjs"
      "scripts/with-postgres.sh env TODO_TEST_DATABASE=postgres BENCH_REPLICAS=2 node bench/reminders.mjs")
failed=0
loads=()
for i in "${!names[@]}"; do
    raw="$out_dir/reminders-${names[$i]}.txt"
    say "run ${names[$i]}: ${cmds[$i]}"
    if ! ${cmds[$i]} >"$raw" 2>&1; then
        failed=1
        say "run ${names[$i]} failed; last lines of $raw:"
        tail -n 15 "$raw" >&2
    fi
    loads+=("$(cut -d' ' -f1 /proc/loadavg)")
done

# "RESULT k=v k=v ..." -> the value of one key ("" when absent)
val() { awk -v k="$2" '$1 == "RESULT" { for (i = 2; i <= NF; i++) { split($i, a, "=");
        if (a[1] == k) print a[2] } }' "$out_dir/reminders-$1.txt"; }
ms() { [[ -n "$1" ]] && printf '%s ms' "$1" || printf '—'; }

cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
report="$out_dir/reminders-results.md"
{
    echo "### $(date -u +%Y-%m-%dT%H:%M:%SZ) — commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
    echo
    echo "Machine: $(nproc) CPUs${cpu:+ ($cpu)}, $(uname -sr); PostgreSQL 15 on loopback."
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
