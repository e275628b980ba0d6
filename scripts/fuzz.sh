#!/bin/sh
# fuzz.sh - builds the libFuzzer targets in fuzz/ with clang (installing it from Debian when
# missing) and runs each for FUZZ_SECONDS (default 30) on its seed corpus.
# Usage: scripts/fuzz.sh [target...]   (default: every fuzz/fuzz_*.c)
# Env:   FUZZ_SECONDS, FUZZ_OUT (build and work directory, default build-fuzz)
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${FUZZ_SECONDS:-30}
out=${FUZZ_OUT:-$root/build-fuzz}

if ! command -v clang >/dev/null 2>&1; then
    echo "fuzz.sh: installing clang" >&2
    apt-get install -y clang >/dev/null
fi

# The sources each target links directly (a target never needs the store or HTTP layers).
base="src/base/xalloc.c src/base/buf.c src/base/err.c src/base/timeutil.c src/base/utf8.c"
core="src/core/task.c src/core/rrule.c src/core/tz.c src/core/query.c src/core/recur.c"
srcs_for() {
    case "$1" in
    fuzz_time) echo "$base" ;;
    fuzz_rrule) echo "$base src/core/rrule.c" ;;
    # static_files_resolve needs the server's path rules (http_path_reserved), so the HTTP
    # layer comes along; the target never starts a server
    fuzz_static_files)
        echo "$base src/base/arena.c src/base/log.c src/base/trace.c src/base/uuid.c" \
             "src/http/server.c src/http/metrics.c src/base/procstat.c src/http/linger.c src/http/static_files.c" ;;
    # fuzz_http includes src/http/server.c itself (to reach the router's static functions)
    fuzz_http)
        echo "$base src/base/arena.c src/base/log.c src/base/trace.c src/base/uuid.c" \
             "src/http/metrics.c src/base/procstat.c src/http/linger.c" ;;
    # the WebSocket helpers and receive path (libwslay, GnuTLS's SHA-1): no socket
    fuzz_ws)
        echo "$base src/base/arena.c src/base/log.c src/base/trace.c src/base/uuid.c" \
             "src/http/server.c src/http/metrics.c src/base/procstat.c src/http/linger.c" ;;
    # the token verifier alone (libjwt, libsodium): no store, no HTTP
    fuzz_token) echo "$base src/app/token.c" ;;
    # the reminder event's data (src/core/notify.c; libcurl only for its URL API)
    fuzz_notify) echo "$base src/core/notify.c" ;;
    # the assistant's date reader (its tokenizer, grammar and resolver)
    fuzz_nlp_when)
        echo "$base $core" $(cd "$root" && ls src/core/nlp_when*.c) ;;
    # the assistant's parser: every src/core/nlp*.c file (docs/assistant-evaluation.md)
    fuzz_nlp) echo "$base $core" $(cd "$root" && ls src/core/nlp*.c) ;;
    # the model's replies, whole and streamed (src/app/llm_parse.c): bytes only, no network
    fuzz_llm) echo "$base src/app/llm_parse.c" ;;
    # the MCP dispatcher and the tools' argument checks, over stand-in use cases (no store)
    fuzz_mcp) echo "$base src/app/mcp.c src/app/tools.c src/app/tools_schema.c" ;;
    # the web front door's path, header and X-Forwarded-For rules: pure functions
    fuzz_web_proxy) echo "$base src/services/web/web_proxy.c" ;;
    *) echo "$base $core" ;;
    esac
}

targets=${*:-$(cd "$root/fuzz" && ls fuzz_*.c | sed 's/\.c$//')}
libs="$(pkg-config --cflags --libs jansson libical libmicrohttpd libsodium libjwt libcurl gnutls) -lwslay"
mkdir -p "$out"
status=0
for target in $targets; do
    echo "== $target: build"
    srcs=""
    for s in $(srcs_for "$target"); do
        srcs="$srcs $root/$s"
    done
    # shellcheck disable=SC2086
    clang -g -O1 -std=c11 -D_GNU_SOURCE \
        -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
        -I"$root/src" "$root/fuzz/$target.c" $srcs $libs -lpthread -lm -o "$out/$target"
    work="$out/corpus-$target"
    mkdir -p "$work"
    echo "== $target: run ${seconds}s"
    if ! (cd "$out" && ASAN_OPTIONS=detect_leaks=1 "./$target" -max_total_time="$seconds" \
        -max_len=4096 -print_final_stats=0 "$work" "$root/fuzz/corpus/$target" \
        >"$out/$target.log" 2>&1); then
        echo "== $target: FAILED, see $out/$target.log" >&2
        tail -40 "$out/$target.log" >&2
        status=1
    else
        tail -1 "$out/$target.log"
    fi
done
exit $status
