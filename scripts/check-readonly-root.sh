#!/usr/bin/env bash
# check-readonly-root.sh - runs `todo api` (PostgreSQL, local bus, the JWT secret given) and
# `todo web` on a read-only root filesystem, as the chart's pods run them (docs/operations.md,
# "Kubernetes: files and shutdown"): in a private mount namespace whose / is remounted
# read-only and whose /tmp is an empty tmpfs. Signs up, creates and lists a task, asks the
# front door for the UI and an API path (502: no sidecar), stops both with SIGTERM, and fails
# unless everything answered, both exited 0 and /tmp is still empty.
# Needs root (unshare --mount) and runs itself under scripts/with-postgres.sh.
# Usage: scripts/check-readonly-root.sh        TODO_BIN overrides the binary (build/todo)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin=${TODO_BIN:-$root/build/todo}
[[ -x $bin ]] || { echo "check-readonly-root: no binary at $bin (make build)" >&2; exit 2; }
if [[ -z ${TODO_TEST_POSTGRES_BASE_URL:-} ]]; then
    exec "$root/scripts/with-postgres.sh" "$0" "$@"
fi
command -v unshare >/dev/null || { echo "check-readonly-root: unshare is required" >&2; exit 2; }

db=ro_check_$$
psql -X -q -d "$TODO_TEST_POSTGRES_BASE_URL/postgres" -c "CREATE DATABASE $db"
trap 'psql -X -q -d "$TODO_TEST_POSTGRES_BASE_URL/postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"' EXIT
url="$TODO_TEST_POSTGRES_BASE_URL/$db"
secret=$(head -c 24 /dev/urandom | base64)
TODO_JWT_SECRET=$secret "$bin" migrate --database "$url" >/dev/null 2>&1

# inside: / read-only, /tmp an empty tmpfs, the working directory /; prints one line per check
BIN=$bin URL=$url TODO_JWT_SECRET=$secret unshare --mount --propagation private bash -euo pipefail -c '
mount --bind / / && mount -o remount,bind,ro /
mount -t tmpfs -o size=16m tmpfs /tmp
cd /
touch /probe 2>/dev/null && { echo "FAIL: / is writable"; exit 1; }
export TODO_DATA_DIR=/var/lib/todo-ro-check TODO_ACCESS_LOG=0
"$BIN" api --database "$URL" --listen 127.0.0.1:0 >/tmp/api.log 2>&1 &
api=$!
TODO_WEB_DIR=/nonexistent DAPR_HTTP_PORT=1 "$BIN" web --listen 127.0.0.1:0 >/tmp/web.log 2>&1 &
web=$!
port_of() { for _ in $(seq 200); do p=$(sed -n "s/.*\"msg\":\"listening\".*\"port\":\([0-9]*\).*/\1/p" "$1"); [[ -n $p ]] && { echo "$p"; return; }; sleep 0.05; done; echo "FAIL: $1 never listened" >&2; cat "$1" >&2; exit 1; }
a=$(port_of /tmp/api.log); w=$(port_of /tmp/web.log)
body="{\"email\":\"ro$$@example.com\",\"password\":\"correct horse battery staple\"}"
tok=$(curl -sf -X POST "localhost:$a/api/auth/signup" -H "content-type: application/json" -d "$body" | sed "s/.*\"token\":\"\([^\"]*\)\".*/\1/")
uid=$(curl -sf "localhost:$a/api/auth/me" -H "authorization: Bearer $tok" | sed "s/.*\"id\":\"\([^\"]*\)\".*/\1/")
created=$(curl -s -o /dev/null -w %{http_code} -X POST "localhost:$a/api/$uid/tasks" -H "authorization: Bearer $tok" -H "content-type: application/json" -d "{\"title\":\"on a read-only root\"}")
listed=$(curl -sf "localhost:$a/api/$uid/tasks" -H "authorization: Bearer $tok" | grep -c "on a read-only root" || true)
ui=$(curl -s -o /dev/null -w %{http_code} "localhost:$w/")
fwd=$(curl -s -o /dev/null -w %{http_code} "localhost:$w/api/auth/me")
kill -TERM $api $web
api_rc=0; wait $api || api_rc=$?
web_rc=0; wait $web || web_rc=$?
left=$(find /tmp -type f ! -name "*.log" | wc -l)
echo "task created $created, listed $listed, web / $ui, web /api $fwd, api exit $api_rc, web exit $web_rc, files left in /tmp $left"
[[ $created == 201 && $listed == 1 && $ui == 200 && $fwd == 502 && $api_rc == 0 && $web_rc == 0 && $left == 0 ]] || {
    echo "FAIL"; cat /tmp/api.log /tmp/web.log; exit 1; }
echo "ok: both roles ran on a read-only root and wrote nothing"
'
