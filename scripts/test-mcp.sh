#!/usr/bin/env bash
# test-mcp.sh - the MCP tier (tests/mcp/): the official MCP TypeScript SDK client, pinned by
# tests/mcp/package-lock.json, against the real binary: /mcp of a `todo serve` on a fresh
# SQLite database on a free loopback port (tests/blackbox/lib/server.mjs starts one per test
# file), and `todo mcp` over stdio on the same database.
# TODO_BIN overrides the binary (default build/todo). Exit status is the tests' status.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export TODO_BIN=${TODO_BIN:-$root/build/todo}
if [[ ! -x "$TODO_BIN" ]]; then
    echo "test-mcp: no binary at $TODO_BIN (run make build)" >&2
    exit 2
fi
command -v node >/dev/null || { echo "test-mcp: node is required" >&2; exit 2; }
source scripts/lib/npm.sh
npm_ci_if_changed tests/mcp
export TODO_TEST_DATABASE=sqlite
node --test --test-concurrency=2 --test-timeout=300000 "$@" tests/mcp/
