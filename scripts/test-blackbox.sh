#!/usr/bin/env bash
# test-blackbox.sh - runs the black-box API tests (tests/blackbox/) against the real binary.
# Usage: scripts/test-blackbox.sh sqlite|postgres [extra node --test arguments...]
#   sqlite:   every test server gets its own temp SQLite file.
#   postgres: a throw-away PostgreSQL 15 cluster on a free loopback port, in a temp dir that
#             is always removed; every test server gets a fresh database in it.
# TODO_BIN overrides the binary (default build/todo). Exit status is the tests' status.
set -euo pipefail

backend=${1:-}
shift || true
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

export TODO_BIN=${TODO_BIN:-$root/build/todo}
if [[ ! -x "$TODO_BIN" ]]; then
    echo "test-blackbox: no binary at $TODO_BIN (run make build)" >&2
    exit 2
fi
command -v node >/dev/null || { echo "test-blackbox: node is required" >&2; exit 2; }

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
    exec "$root/scripts/with-postgres.sh" node --test --test-concurrency=2 \
        --test-timeout=300000 "$@" tests/blackbox/
    ;;
*)
    echo "usage: $0 sqlite|postgres [node --test arguments...]" >&2
    exit 2
    ;;
esac
