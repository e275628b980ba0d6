#!/usr/bin/env bash
# test-dapr.sh - the Dapr test tier (tests/dapr/): `todo api --bus dapr`,
# `todo audit --bus dapr` (and `todo recurring`), each beside its own real daprd (scripts/daprd.sh) whose
# pubsub.kafka component talks to a throw-away Kafka broker (scripts/with-kafka.sh), on a
# throw-away PostgreSQL (scripts/with-postgres.sh); kcat reads the topics back.
# Usage: scripts/test-dapr.sh [extra node --test arguments...]
# TODO_BIN overrides the binary (default build/todo), DAPRD_BIN the daprd (default: the one
# scripts/daprd.sh build makes; a no-op when current). Exit status is the tests' status.
# The tests start the two daprd processes themselves (tests/dapr/lib/dapr.mjs, with the
# flags and components of scripts/with-dapr.sh), since each app needs its own sidecar.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

export TODO_BIN=${TODO_BIN:-$root/build/todo}
if [[ ! -x "$TODO_BIN" ]]; then
    echo "test-dapr: no binary at $TODO_BIN (run make build)" >&2
    exit 2
fi
for c in node kcat; do
    command -v "$c" >/dev/null || { echo "test-dapr: $c is required (scripts/bootstrap.sh --test)" >&2; exit 2; }
done

if [[ -z ${DAPRD_BIN:-} ]]; then
    scripts/daprd.sh build >&2 # a no-op when current; waits for a build in progress (flock)
    DAPRD_BIN=$(scripts/daprd.sh path)
fi
[[ -x $DAPRD_BIN ]] || { echo "test-dapr: no daprd at $DAPRD_BIN" >&2; exit 2; }
export DAPRD_BIN

exec scripts/with-postgres.sh scripts/with-kafka.sh \
    node --test --test-concurrency=1 --test-timeout=110000 "$@" tests/dapr/
