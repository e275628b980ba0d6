#!/usr/bin/env bash
# smoke_test.sh - scripts/smoke.sh (the release's check after a deploy) against a real
# `todo serve` on a throw-away SQLite database and a free loopback port (scripts/lib/ports.sh):
#   1. it passes against a working server;
#   2. it fails, naming the check, when a step is refused: the same server with
#      TODO_SIGNUP_LIMIT_ADDR=1 refuses the second run's sign-up (429);
#   3. it fails when nothing answers at the URL (SMOKE_TIMEOUT=2).
# Part of make test-workflows (scripts/test-workflows.sh). TODO_BIN: the binary (build/todo).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
bin=${TODO_BIN:-build/todo}
say() { printf 'smoke_test: %s\n' "$*" >&2; }
die() { say "FAILED: $*"; exit 1; }
[[ -x $bin ]] || die "no binary at $bin (make build)"
source scripts/lib/ports.sh

tmp=$(mktemp -d "${TMPDIR:-/tmp}/todo-smoketest.XXXXXX")
pid=
cleanup() {
    if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
export TODO_DATA_DIR=$tmp/data TODO_DATABASE_URL=sqlite:$tmp/data/todo.db TODO_LOG_LEVEL=warn
export TODO_SIGNUP_LIMIT_ADDR=1
mkdir -p "$TODO_DATA_DIR"
"$bin" migrate >"$tmp/migrate.log" 2>&1 || { cat "$tmp/migrate.log" >&2; die "todo migrate"; }

# a free port; another pick when the bind lost the race
start() {
    port=$(free_port "$@")
    TODO_LISTEN=127.0.0.1:$port "$bin" serve >"$tmp/server.log" 2>&1 &
    pid=$!
    local deadline=$((SECONDS + 20))
    until curl -fsS -o /dev/null "http://127.0.0.1:$port/readyz" 2>/dev/null; do
        if ! kill -0 "$pid" 2>/dev/null; then
            grep -q "Address already in use" "$tmp/server.log" && return 1
            cat "$tmp/server.log" >&2
            die "todo serve exited at start"
        fi
        ((SECONDS < deadline)) || die "todo serve not ready in 20 s"
        sleep 0.05
    done
}
tried=()
until start "${tried[@]}"; do tried+=("$port"); ((${#tried[@]} < 5)) || die "no port"; done
url=http://127.0.0.1:$port

scripts/smoke.sh "$url" 2>"$tmp/ok.log" || { cat "$tmp/ok.log" >&2; die "smoke.sh failed on a working server"; }
cat "$tmp/ok.log" >&2
say "ok: passes against a working todo serve"

if scripts/smoke.sh "$url" 2>"$tmp/refused.log"; then die "smoke.sh passed though the sign-up was refused"; fi
grep -q "POST /api/auth/signup: HTTP 429" "$tmp/refused.log" ||
    { cat "$tmp/refused.log" >&2; die "smoke.sh did not name the refused sign-up"; }
say "ok: fails and names the check when the sign-up is refused (429)"

dead=$(free_port "$port")
if SMOKE_TIMEOUT=2 scripts/smoke.sh "http://127.0.0.1:$dead" 2>"$tmp/dead.log"; then
    die "smoke.sh passed with nothing listening"
fi
grep -q "GET /healthz did not answer 200" "$tmp/dead.log" || { cat "$tmp/dead.log" >&2; die "wrong message"; }
say "ok: fails when nothing answers"
