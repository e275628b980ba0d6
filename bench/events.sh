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
bench=events
source bench/lib.sh
build=${BUILD:-build}
low_rate=${BENCH_LOW_RATE:-100}

[[ -f "$build/build.ninja" ]] || { say "$build is not configured; run 'make build' first"; exit 1; }
cmake --build "$build" --target events_bench >&2
bin=$build/events_bench

names=(local kafka kafka-low)
cmds=("$bin local"
      "scripts/with-kafka.sh $bin kafka"
      "BENCH_SKIP=throughput,consumer BENCH_LAT_RATE=$low_rate scripts/with-kafka.sh $bin kafka")
bench_run_all

num() { [[ -n "$1" ]] && printf '%.0f' "$1" || printf '—'; }
table() {
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
}
bench_report table ", $(load_avg);"
