#!/usr/bin/env bash
# with-kafka.sh - runs a command beside a throw-away Kafka broker (scripts/kafka.sh) with the
# project's topics created; always stopped and removed afterwards. The command sees
# TODO_TEST_KAFKA_BROKERS (127.0.0.1:PORT) and TODO_TEST_KAFKA_DIR (the broker's folder, for
# tests that stop and start it). Usage: scripts/with-kafka.sh COMMAND [ARGS...]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
"$here/kafka.sh" fetch >&2
dir=$(mktemp -d /tmp/todo-kafka.XXXXXX)
cleanup() {
    local rc=$?
    "$here/kafka.sh" stop "$dir" >/dev/null 2>&1 || true
    rm -rf "$dir"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
line=$("$here/kafka.sh" start "$dir")
"$here/kafka.sh" topics "$dir" >&2
export TODO_TEST_KAFKA_BROKERS=${line#KAFKA_BROKERS=}
export TODO_TEST_KAFKA_DIR=$dir
set +e
"$@"
rc=$?
set -e
exit "$rc"
