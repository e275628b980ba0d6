#!/usr/bin/env bash
# with-postgres.sh - runs a command beside a throw-away PostgreSQL 15 cluster: initialised
# in a temp dir, started on a free loopback port, always stopped and removed afterwards.
# The command sees TODO_TEST_POSTGRES_BASE_URL (postgres://postgres@127.0.0.1:PORT) and
# TODO_TEST_POSTGRES_URL (the same with /postgres), and TODO_TEST_PSQL.
# Usage: scripts/with-postgres.sh COMMAND [ARGS...]; exits with the command's status.
set -euo pipefail

pgbin=${TODO_PG_BIN:-/usr/lib/postgresql/15/bin}
[[ -x "$pgbin/initdb" ]] || { echo "with-postgres: no PostgreSQL binaries in $pgbin" >&2; exit 2; }
as_pg=()
if [[ $(id -u) -eq 0 ]]; then
    as_pg=(runuser -u postgres --)
fi

tmp=$(mktemp -d /tmp/todo-pg.XXXXXX)
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

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
pg_started=1
"${as_pg[@]}" "$pgbin/pg_ctl" -D "$tmp/data" -l "$tmp/postgres.log" -W \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $tmp/sock -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null

deadline=$((SECONDS + 60))
until "$pgbin/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres; do
    if ((SECONDS > deadline)); then
        echo "with-postgres: PostgreSQL did not become ready within 60 s" >&2
        cat "$tmp/postgres.log" >&2 || true
        exit 1
    fi
    sleep 0.2
done

export TODO_TEST_POSTGRES_BASE_URL="postgres://postgres@127.0.0.1:$port"
export TODO_TEST_POSTGRES_URL="$TODO_TEST_POSTGRES_BASE_URL/postgres"
export TODO_TEST_PSQL="$pgbin/psql"
set +e
"$@"
rc=$?
set -e
if ((rc != 0)); then
    echo "with-postgres: PostgreSQL log tail:" >&2
    tail -n 30 "$tmp/postgres.log" >&2 || true
fi
exit "$rc"
