#!/usr/bin/env bash
# web.sh - the web UI benchmark behind `make bench` (bench/web.mjs; docs/benchmarks.md, "Web
# UI"): load and search times of the main screen in headless Chromium against a real
# `todo serve` with 10,000 tasks. Output: build/bench/web.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/npm.sh
export TODO_BIN=${TODO_BIN:-$PWD/build/todo}
[[ -x "$TODO_BIN" ]] || { echo "bench-web: no binary at $TODO_BIN (make build)" >&2; exit 1; }
[[ -f web/out/index.html ]] || { echo "bench-web: the web UI is not built (make web)" >&2; exit 1; }
npm_ci_if_changed tests/browser
mkdir -p "${BENCH_OUT:-build/bench}"
node bench/web.mjs | tee "${BENCH_OUT:-build/bench}/web.md"
