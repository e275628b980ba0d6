#!/usr/bin/env bash
# test-blackbox.sh - runs the black-box API tests (tests/blackbox/) against the real binary.
# Usage: scripts/test-blackbox.sh [--asan] sqlite|postgres [extra node --test arguments...]
#   sqlite:   every test server gets its own temp SQLite file.
#   postgres: a throw-away PostgreSQL 15 cluster on a free loopback port, in a temp dir that
#             is always removed; every test server gets a fresh database in it.
#   --asan:   against the AddressSanitizer+UndefinedBehaviorSanitizer build (build-asan/todo):
#             every process writes its sanitizer reports into one temp dir, and any report
#             there fails the run, even when the tests passed (a leak at exit, say).
# TODO_BIN overrides the binary (default build/todo). Exit status is the tests' status.
set -euo pipefail

asan=0
if [[ ${1:-} == --asan ]]; then
    asan=1
    shift
fi
backend=${1:-}
shift || true
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if ((asan)); then
    export TODO_BIN=${TODO_BIN:-$root/build-asan/todo}
    reports=$(mktemp -d /tmp/todo-sanitizer.XXXXXX)
    export ASAN_OPTIONS="detect_leaks=1:log_path=$reports/asan"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$reports/ubsan"
    # A report fails the run whatever the tests said; the reports are printed, then removed.
    check_reports() {
        local rc=$?
        if compgen -G "$reports/*" >/dev/null; then
            echo "test-blackbox: the sanitizers reported (a failure, whatever the tests said):" >&2
            head -n 60 "$reports"/* >&2
            rc=1
        fi
        rm -rf "$reports"
        exit "$rc"
    }
    trap check_reports EXIT
fi
export TODO_BIN=${TODO_BIN:-$root/build/todo}
if [[ ! -x "$TODO_BIN" ]]; then
    echo "test-blackbox: no binary at $TODO_BIN (run make build)" >&2
    exit 2
fi
command -v node >/dev/null || { echo "test-blackbox: node is required" >&2; exit 2; }
# the notification tests' SMTP server (tests/blackbox/notify.test.mjs): built once, cached
if [[ -z ${TODO_MAILPIT_BIN:-} ]]; then
    "$root/scripts/mailpit.sh" build >&2
    export TODO_MAILPIT_BIN=$("$root/scripts/mailpit.sh" path)
fi
# ws (the realtime tests' WebSocket client), pinned by tests/blackbox/package-lock.json
source scripts/lib/npm.sh
npm_ci_if_changed tests/blackbox

run_tests() {
    node --test --test-concurrency=2 --test-timeout=300000 "$@" tests/blackbox/
}

case "$backend" in
sqlite)
    export TODO_TEST_DATABASE=sqlite
    run_tests "$@"
    ;;
postgres)
    # a throw-away PostgreSQL (scripts/with-postgres.sh); every test server gets a fresh
    # database in it (tests/blackbox/lib/server.mjs)
    export TODO_TEST_DATABASE=postgres
    "$root/scripts/with-postgres.sh" node --test --test-concurrency=2 \
        --test-timeout=300000 "$@" tests/blackbox/
    ;;
*)
    echo "usage: $0 sqlite|postgres [node --test arguments...]" >&2
    exit 2
    ;;
esac
