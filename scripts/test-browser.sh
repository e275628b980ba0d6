#!/usr/bin/env bash
# test-browser.sh - the browser tier: the web UI (web/out, built by scripts/build-web.sh) in
# Debian's Chromium (headless), driven by playwright-core, against a real `todo serve` on a
# free loopback port with a fresh SQLite database per test file. Screenshots land in
# tests/browser/artifacts/. Usage: scripts/test-browser.sh [node --test arguments | test files]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/lib/npm.sh

export TODO_BIN=${TODO_BIN:-$root/build/todo}
[[ -x "$TODO_BIN" ]] || { echo "test-browser: no binary at $TODO_BIN (run make build)" >&2; exit 2; }
[[ -f web/out/index.html ]] || { echo "test-browser: the web UI is not built (run make web)" >&2; exit 2; }
export TODO_CHROMIUM=${TODO_CHROMIUM:-/usr/bin/chromium}
[[ -x "$TODO_CHROMIUM" ]] || { echo "test-browser: no Chromium at $TODO_CHROMIUM (scripts/bootstrap.sh --test)" >&2; exit 2; }
require_node 20.9

# playwright-core and axe-core, pinned by tests/browser/package-lock.json
npm_ci_if_changed tests/browser
rm -rf tests/browser/artifacts
mkdir -p tests/browser/artifacts
# test files named on the command line run alone; otherwise every file in tests/browser/
files=(tests/browser/)
for a in "$@"; do [[ "$a" == *.mjs ]] && files=(); done
exec node --test --test-concurrency=2 --test-timeout=300000 "$@" "${files[@]}"
