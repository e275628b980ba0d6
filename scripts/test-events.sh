#!/usr/bin/env bash
# test-events.sh - the event test tier (tests/events/): the real `todo api` and `todo audit`
# as separate processes over a real Kafka broker (scripts/with-kafka.sh) and a throw-away
# PostgreSQL (scripts/with-postgres.sh), read back independently with kcat.
# Usage: scripts/test-events.sh [extra node --test arguments...]
# TODO_BIN overrides the binary (default build/todo). Exit status is the tests' status.
# The files run one at a time: they share the broker, its topics and the audit consumer
# group, and one of them stops and restarts the broker.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

export TODO_BIN=${TODO_BIN:-$root/build/todo}
if [[ ! -x "$TODO_BIN" ]]; then
    echo "test-events: no binary at $TODO_BIN (run make build)" >&2
    exit 2
fi
for c in node npm kcat; do
    command -v "$c" >/dev/null || { echo "test-events: $c is required (scripts/bootstrap.sh --test)" >&2; exit 2; }
done

# ajv + ajv-formats, pinned by tests/events/package-lock.json
source scripts/lib/npm.sh
npm_ci_if_changed tests/events

# the notification test's SMTP server (tests/events/notify.test.mjs): built once, cached
if [[ -z ${TODO_MAILPIT_BIN:-} ]]; then
    scripts/mailpit.sh build >&2
    export TODO_MAILPIT_BIN=$(scripts/mailpit.sh path)
fi

exec scripts/with-postgres.sh scripts/with-kafka.sh \
    node --test --test-concurrency=1 --test-timeout=300000 "$@" tests/events/
