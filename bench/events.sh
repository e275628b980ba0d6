#!/usr/bin/env bash
# events.sh - the event benchmark behind `make bench` (docs/benchmarks.md, "Events"): builds
# bench/events_bench.c and runs it for the local bus, then for Kafka beside a throw-away
# broker (scripts/with-kafka.sh), and once more for Kafka at a lower rate (latency only) to
# show where the consumer keeps up. Prints a Markdown table and the exact commands; raw
# output goes to build/bench/events-*.txt. Exits non-zero when a run failed (an event not
# handled, a wrong count).
#
# Knobs (environment): BUILD (build), BENCH_OUT (build/bench), BENCH_LOW_RATE (100), and
# everything events_bench reads (BENCH_EVENTS, BENCH_LAT_EVENTS, BENCH_LAT_RATE, BENCH_BATCH,
# BENCH_DB_URL, ... see the top of bench/events_bench.c).
set -euo pipefail

cd "$(dirname "$0")/.."
build=${BUILD:-build}
out_dir=${BENCH_OUT:-build/bench}
low_rate=${BENCH_LOW_RATE:-100}

say() { printf 'bench-events: %s\n' "$*" >&2; }

[[ -f "$build/build.ninja" ]] || { say "$build is not configured; run 'make build' first"; exit 1; }
cmake --build "$build" --target events_bench >&2
mkdir -p "$out_dir"
bin=$build/events_bench

names=(local kafka kafka-low)
cmds=("$bin local"
      "scripts/with-kafka.sh $bin kafka"
      "BENCH_SKIP=throughput,consumer BENCH_LAT_RATE=$low_rate scripts/with-kafka.sh $bin kafka")
failed=0
for i in "${!names[@]}"; do
    raw="$out_dir/events-${names[$i]}.txt"
    say "run ${names[$i]}: ${cmds[$i]}"
    if ! env ${cmds[$i]} >"$raw" 2>&1; then # word splitting wanted: VAR=... prefixes
        failed=1
        say "run ${names[$i]} failed; last lines of $raw:"
        tail -n 15 "$raw" >&2
    fi
done

# "RESULT k=v k=v ..." -> the value of one key ("" when absent)
val() { awk -v k="$2" '$1 == "RESULT" { for (i = 2; i <= NF; i++) { split($i, a, "=");
        if (a[1] == k) print a[2] } }' "$out_dir/events-$1.txt"; }
num() { [[ -n "$1" ]] && printf '%.0f' "$1" || printf '—'; }
ms() { [[ -n "$1" ]] && printf '%s ms' "$1" || printf '—'; }

cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
report="$out_dir/events-results.md"
{
    echo "### $(date -u +%Y-%m-%dT%H:%M:%SZ) — commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
    echo
    echo "Machine: $(nproc) CPUs${cpu:+ ($cpu)}, $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg);"
    echo "store $(val local store); Kafka 3.9.2 on loopback (scripts/with-kafka.sh), same machine."
    echo
    echo "| run | events | outbox → bus (relay), events/s | bus_kafka group consumed, events/s | consumer runtime, events/s | latency rate | commit → handler p50 | p99 | max |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    for n in "${names[@]}"; do
        [[ -f "$out_dir/events-$n.txt" ]] || continue
        echo "| $n | $(num "$(val "$n" events)") | $(num "$(val "$n" relay_eps)") |" \
             "$(num "$(val "$n" consume_eps)") | $(num "$(val "$n" cons_eps)") | $(val "$n" lat_rate)/s |" \
             "$(ms "$(val "$n" lat_p50_ms)") | $(ms "$(val "$n" lat_p99_ms)") | $(ms "$(val "$n" lat_max_ms)") |"
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
