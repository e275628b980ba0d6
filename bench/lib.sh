# lib.sh - what the bench scripts share (bench/events.sh, recurring.sh, reminders.sh,
# realtime.sh; docs/benchmarks.md): the runs of a benchmark's modes with their raw output, the
# RESULT lines read back, and the Markdown report with its machine line and exact commands.
# Source it from the checkout's root with `bench` set to the benchmark's name; then fill the
# arrays names and cmds, call bench_run_all, and end with bench_report.
#
# Knob (environment): BENCH_OUT (build/bench), where the raw output and the report go.

out_dir=${BENCH_OUT:-build/bench}

say() { printf 'bench-%s: %s\n' "$bench" "$*" >&2; }

# Exports TODO_BIN (build/todo) and exits unless it is an executable.
bench_need_todo() {
    export TODO_BIN=${TODO_BIN:-$PWD/build/todo}
    [[ -x "$TODO_BIN" ]] || { say "no binary at $TODO_BIN; run 'make build' first"; exit 1; }
}

# Exits unless every command named is on PATH. $need_hint, when set, follows "is required".
bench_need() {
    local c
    for c in "$@"; do
        command -v "$c" >/dev/null || { say "$c is required${need_hint:+ ($need_hint)}"; exit 1; }
    done
}

# Runs each cmds[i] (VAR=... prefixes allowed) with its output in $out_dir/$bench-names[i].txt;
# failed=1 when one fails (its last lines go to stderr); loads[i] is the 1-minute load
# average after run i.
bench_run_all() {
    local i raw
    failed=0
    loads=()
    mkdir -p "$out_dir"
    for i in "${!names[@]}"; do
        raw="$out_dir/$bench-${names[$i]}.txt"
        say "run ${names[$i]}: ${cmds[$i]}"
        if ! env ${cmds[$i]} >"$raw" 2>&1; then # word splitting wanted: VAR=... prefixes
            failed=1
            say "run ${names[$i]} failed; last lines of $raw:"
            tail -n 15 "$raw" >&2
        fi
        loads+=("$(cut -d' ' -f1 /proc/loadavg)")
    done
}

# "RESULT k=v k=v ..." in run $1's output -> the value of key $2 ("" when absent)
val() { awk -v k="$2" '$1 == "RESULT" { for (i = 2; i <= NF; i++) { split($i, a, "=");
        if (a[1] == k) print a[2] } }' "$out_dir/$bench-$1.txt"; }
ms() { [[ -n "$1" ]] && printf '%s ms' "$1" || printf '—'; }
# "load average" and the three figures of /proc/loadavg, for the machine line
load_avg() { printf 'load average %s' "$(cut -d' ' -f1-3 /proc/loadavg)"; }

# Writes $out_dir/$bench-results.md: the time and commit, the machine line ending in $2, what
# the function named $1 prints (the table), the exact commands; prints it, then exits with
# $failed.
bench_report() {
    local table=$1 machine_end=$2 cpu report="$out_dir/$bench-results.md"
    cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
    {
        echo "### $(date -u +%Y-%m-%dT%H:%M:%SZ) — commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
        echo
        echo "Machine: $(nproc) CPUs${cpu:+ ($cpu)}, $(uname -sr)$machine_end"
        "$table"
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
}
