#!/usr/bin/env bash
# smoke.sh - the smoke test after a deploy (scripts/deploy.sh, the release workflow;
# docs/deploy/ci-cd.md): against a running Todo at URL, checks /healthz and /readyz, signs up a
# throw-away user, creates a task, finds it in the list, deletes it, checks it is gone, and
# signs out (the token then refused). Waits for /healthz and /readyz to answer (the Ingress and
# DNS may lag a rollout) up to SMOKE_TIMEOUT seconds (120), polling, and for the sign-out to
# reach every api replica (15 s); every other request is made once.
#
# Usage: scripts/smoke.sh URL        e.g. https://todo.example.com or http://127.0.0.1:8080
# Exit status 0 when every check passed, 1 at the first that failed (named on stderr).
# Needs curl and node. The throw-away user (smoke-<time>-<random>@example.com) stays: the API
# has no account deletion; its one task is deleted. Sign-ups count against
# TODO_SIGNUP_LIMIT_ADDR (20 an hour per address by default), one per run.
set -euo pipefail

say() { printf 'smoke: %s\n' "$*" >&2; }
die() { say "FAILED: $*"; exit 1; }

[[ $# -eq 1 && -n $1 ]] || { echo "usage: scripts/smoke.sh URL" >&2; exit 2; }
base=${1%/}
[[ $base == http://* || $base == https://* ]] || { echo "smoke: URL must be http(s)://..." >&2; exit 2; }
for tool in curl node; do command -v "$tool" >/dev/null || die "$tool is required"; done
timeout=${SMOKE_TIMEOUT:-120}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/todo-smoke-deploy.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# req METHOD PATH [BODY] -> the status on stdout, the body in $tmp/body
req() {
    local args=(-sS -o "$tmp/body" -w '%{http_code}' -X "$1" --max-time 30)
    [[ -n ${token:-} ]] && args+=(-H "Authorization: Bearer $token")
    [[ $# -ge 3 ]] && args+=(-H 'Content-Type: application/json' --data "$3")
    curl "${args[@]}" "$base$2" || echo 000
}
# expect WANT METHOD PATH [BODY]
expect() {
    local want=$1 got
    shift
    got=$(req "$@")
    [[ $got == "$want" ]] || die "$1 $2: HTTP $got, expected $want: $(head -c 300 "$tmp/body" 2>/dev/null)"
    say "$1 $2: $got"
}
# json EXPR: evaluates EXPR over the last body (as `b`) and prints it
json() { node -e 'const b = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const v = (0, eval)("(b) => " + process.argv[2])(b);
  if (v === undefined || v === null) process.exit(1); console.log(v);' "$tmp/body" "$1"; }

# 1. health, polled until it answers (a rollout's Ingress and DNS may lag)
for path in /healthz /readyz; do
    deadline=$((SECONDS + timeout))
    until [[ $(req GET "$path" 2>/dev/null) == 200 ]]; do
        ((SECONDS < deadline)) || die "GET $path did not answer 200 within ${timeout}s"
        sleep 2
    done
    say "GET $path: 200"
done

# 2. a throw-away user
email="smoke-$(date +%s)-$RANDOM$RANDOM@example.com"
password="smoke-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
expect 201 POST /api/auth/signup "{\"email\": \"$email\", \"password\": \"$password\"}"
token=$(json 'b.token') || die "the sign-up's answer has no token"
user=$(json 'b.user.id') || die "the sign-up's answer has no user id"

# 3. a task: created, listed, deleted, gone
title="smoke test $(date -u +%Y-%m-%dT%H:%M:%SZ)"
expect 201 POST "/api/$user/tasks" "{\"title\": \"$title\"}"
task=$(json 'b.id') || die "the created task has no id"
expect 200 GET "/api/$user/tasks"
json "b.items.some((t) => String(t.id) === \"$task\" && t.title === \"$title\") || undefined" >/dev/null ||
    die "the created task $task is not in the list"
expect 204 DELETE "/api/$user/tasks/$task"
expect 404 GET "/api/$user/tasks/$task"
expect 204 POST /api/auth/logout
# The replica that signed out refuses the token at once, the others within about a second
# (docs/decisions/0016-token-revocation.md): polled for up to 15 s.
deadline=$((SECONDS + 15))
until [[ $(req GET "/api/$user/tasks") == 401 ]]; do
    ((SECONDS < deadline)) || die "GET /api/$user/tasks: the signed-out token still works after 15 s"
    sleep 0.5
done
say "GET /api/$user/tasks after the sign-out: 401"
say "passed against $base"
