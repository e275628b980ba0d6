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
out_dir=${BENCH_OUT:-build/bench}
export TODO_BIN=${TODO_BIN:-$PWD/build/todo}

say() { printf 'bench-recurring: %s\n' "$*" >&2; }

[[ -x "$TODO_BIN" ]] || { say "no binary at $TODO_BIN; run 'make build' first"; exit 1; }
for c in node npm; do
    command -v "$c" >/dev/null || { say "$c is required (scripts/bootstrap.sh --test)"; exit 1; }
done
# the Kafka mode reuses the event tier's helpers (tests/events/lib/cluster.mjs), which load
# ajv: install it as scripts/test-events.sh does, only when not installed from this lock file
source scripts/lib/npm.sh
npm_ci_if_changed tests/events
mkdir -p "$out_dir"

names=(embedded kafka)
cmds=("node bench/recurring.mjs embedded"
      "scripts/with-postgres.sh scripts/with-kafka.sh node bench/recurring.mjs kafka")
failed=0
for i in "${!names[@]}"; do
    raw="$out_dir/recurring-${names[$i]}.txt"
    say "run ${names[$i]}: ${cmds[$i]}"
    if ! ${cmds[$i]} >"$raw" 2>&1; then
        failed=1
        say "run ${names[$i]} failed; last lines of $raw:"
        tail -n 15 "$raw" >&2
    fi
done

# "RESULT k=v k=v ..." -> the value of one key ("" when absent)
val() { awk -v k="$2" '$1 == "RESULT" { for (i = 2; i <= NF; i++) { split($i, a, "=");
        if (a[1] == k) print a[2] } }' "$out_dir/recurring-$1.txt"; }
ms() { [[ -n "$1" ]] && printf '%s ms' "$1" || printf '—'; }

cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
report="$out_dir/recurring-results.md"
{
    echo "### $(date -u +%Y-%m-%dT%H:%M:%SZ) — commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
    echo
    echo "Machine: $(nproc) CPUs${cpu:+ ($cpu)}, $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg);"
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
