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

# First the UI's pure libraries (tests/web): compiled with the project's TypeScript into a
# temp dir, then run on Node's test runner.
npm_ci_if_changed web
libjs=$(mktemp -d "${TMPDIR:-/tmp}/todo-weblib.XXXXXX")
trap 'rm -rf "$libjs"' EXIT
(cd web && npx --no-install tsc --outDir "$libjs" --module es2022 --target es2022 \
    --moduleResolution bundler --skipLibCheck --lib es2022,dom --noEmit false \
    lib/time.ts lib/quickadd.ts lib/rrule.ts lib/chat.ts)
# Node resolves ESM imports by file name: "./time" -> "./time.js"
sed -i -E "s#from '\./([a-z]+)'#from './\1.js'#" "$libjs"/*.js
echo '{"type":"module"}' > "$libjs/package.json"
TODO_WEB_LIB_JS=$libjs node --test tests/web/
# test files named on the command line run alone; otherwise every file in tests/browser/
files=(tests/browser/)
for a in "$@"; do [[ "$a" == *.mjs ]] && files=(); done
node --test --test-concurrency=2 --test-timeout=300000 "$@" "${files[@]}"
