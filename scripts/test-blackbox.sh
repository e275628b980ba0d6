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
    pgbin=${TODO_PG_BIN:-/usr/lib/postgresql/15/bin}
    [[ -x "$pgbin/initdb" ]] || { echo "test-blackbox: no PostgreSQL binaries in $pgbin" >&2; exit 2; }
    as_pg=()
    if [[ $(id -u) -eq 0 ]]; then
        as_pg=(runuser -u postgres --)
    fi

    tmp=$(mktemp -d /tmp/todo-bb-pg.XXXXXX)
    pg_started=0
    cleanup() {
        local rc=$?
        if ((pg_started)); then
            "${as_pg[@]}" "$pgbin/pg_ctl" -D "$tmp/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
        fi
        rm -rf "$tmp"
        exit "$rc"
    }
    trap cleanup EXIT
    trap 'exit 130' INT TERM
    mkdir -p "$tmp/sock"
    if ((${#as_pg[@]})); then
        chown -R postgres:postgres "$tmp"
    fi

    "${as_pg[@]}" "$pgbin/initdb" -D "$tmp/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
        >"$tmp/initdb.log" 2>&1 || { cat "$tmp/initdb.log" >&2; exit 1; }

    port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
    pg_started=1
    "${as_pg[@]}" "$pgbin/pg_ctl" -D "$tmp/data" -l "$tmp/postgres.log" -W \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $tmp/sock -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null

    deadline=$((SECONDS + 60))
    until "$pgbin/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres; do
        if ((SECONDS > deadline)); then
            echo "test-blackbox: PostgreSQL did not become ready within 60 s" >&2
            cat "$tmp/postgres.log" >&2 || true
            exit 1
        fi
        sleep 0.2
    done

    export TODO_TEST_DATABASE=postgres
    export TODO_TEST_POSTGRES_BASE_URL="postgres://postgres@127.0.0.1:$port"
    export TODO_TEST_PSQL="$pgbin/psql"
    set +e
    run_tests "$@"
    rc=$?
    set -e
    if ((rc != 0)); then
        echo "test-blackbox: PostgreSQL log tail ($tmp/postgres.log):" >&2
        tail -n 30 "$tmp/postgres.log" >&2 || true
    fi
    exit "$rc"
    ;;
*)
    echo "usage: $0 sqlite|postgres [node --test arguments...]" >&2
    exit 2
    ;;
esac
