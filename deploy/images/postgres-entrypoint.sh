#!/bin/sh
# postgres-entrypoint - initialises PGDATA on the first start, then runs PostgreSQL in the
# foreground (deploy/images/postgres.Containerfile, docs/deploy/images.md).
#
# Environment (as the usual PostgreSQL images): POSTGRES_PASSWORD (required on the first start,
# unless POSTGRES_HOST_AUTH_METHOD=trust), POSTGRES_USER (default postgres), POSTGRES_DB
# (default: POSTGRES_USER), PGDATA, POSTGRES_HOST_AUTH_METHOD (default scram-sha-256).
# Arguments: `postgres [options]` (the default) or any other command, run as is.
set -eu

die() { echo "postgres-entrypoint: $*" >&2; exit 1; }

if [ "${1:-postgres}" != postgres ]; then
    exec "$@"
fi
[ $# -gt 0 ] && shift

user=${POSTGRES_USER:-postgres}
db=${POSTGRES_DB:-$user}
auth=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}
: "${PGDATA:?PGDATA is not set}"

# SQL identifier quoting: "name" with every " doubled.
ident() { printf '"%s"' "$(printf '%s' "$1" | sed 's/"/""/g')"; }

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$auth" != trust ]; then
        die "POSTGRES_PASSWORD is not set (the first start sets the password of $user with it)"
    fi
    case ${POSTGRES_PASSWORD:-} in
        *"
"*) die "POSTGRES_PASSWORD holds a line break" ;;
    esac
    mkdir -p "$PGDATA"
    chmod 0700 "$PGDATA" || die "cannot make $PGDATA private (is the volume owned by uid $(id -u)?)"
    echo "postgres-entrypoint: initialising $PGDATA (user $user, database $db)" >&2
    # the password through a pipe: never on a command line, never in a file
    printf '%s\n' "${POSTGRES_PASSWORD:-}" |
        initdb -D "$PGDATA" -U "$user" --pwfile=/dev/stdin --encoding=UTF8 --locale=C.UTF-8 \
            --auth-local=trust --auth-host="$auth" >/dev/null
    # every TCP client (the pod network), not only loopback, with the same method
    printf 'host all all 0.0.0.0/0 %s\nhost all all ::/0 %s\n' "$auth" "$auth" \
        >>"$PGDATA/pg_hba.conf"
    if [ "$db" != postgres ]; then
        printf 'CREATE DATABASE %s OWNER %s\n' "$(ident "$db")" "$(ident "$user")" |
            postgres --single -j -D "$PGDATA" postgres >/dev/null ||
            die "creating database $db failed"
    fi
    echo "postgres-entrypoint: initialised" >&2
fi
unset POSTGRES_PASSWORD

# The Unix socket where it can be written (the root file system may be read-only); none
# otherwise (clients use TCP).
sockdir=
for d in /var/run/postgresql /tmp; do
    if [ -d "$d" ] && [ -w "$d" ]; then sockdir=$d; break; fi
done
# jit=off: the image leaves the JIT compiler out (postgres.Containerfile)
exec postgres -D "$PGDATA" -c listen_addresses='*' -c port=5432 -c jit=off \
    -c unix_socket_directories="$sockdir" "$@"
