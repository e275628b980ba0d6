#!/usr/bin/env bash
# build-web.sh - builds the web UI (web/: Next.js, static export) into web/out, which
# `todo serve` and `todo api` serve at /. Does nothing when the sources are unchanged since
# the last build (a hash of them is kept in web/out/.source-hash). Packages come from the npm
# registry, pinned by web/package-lock.json; the build itself needs no network.
# Text assets over 1 KiB get a .gz sibling the server sends to clients that accept gzip.
# The hashes of every page's inline scripts and styles go to web/out/.csp-hashes.json
# (scripts/csp-hashes.mjs), from which the server builds each page's Content-Security-Policy.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/lib/npm.sh
require_node 20.9

web=web
source_hash() {
    # (public/ may not exist: find then complains, which must not end the script)
    (cd "$web" && { find app components lib public package.json package-lock.json \
        next.config.ts tsconfig.json -type f 2>/dev/null || true; } |
        LC_ALL=C sort | xargs -r sha256sum | sha256sum | cut -c1-64)
}
hash=$(source_hash)
if [[ -f "$web/out/index.html" && "$(cat "$web/out/.source-hash" 2>/dev/null)" == "$hash" ]]; then
    # a build from before the hash list: write it (cheap)
    [[ -f "$web/out/.csp-hashes.json" ]] || node scripts/csp-hashes.mjs "$web/out"
    exit 0
fi
npm_ci_if_changed "$web"
echo "build-web: building the web UI" >&2
(cd "$web" && NEXT_TELEMETRY_DISABLED=1 npx --no-install next build) >&2
find "$web/out" -type f \( -name '*.html' -o -name '*.js' -o -name '*.css' -o -name '*.txt' \
    -o -name '*.svg' -o -name '*.json' -o -name '*.map' \) -not -name '.*' -size +1k \
    -exec gzip -k -9 -n -f {} +
node scripts/csp-hashes.mjs "$web/out"
source_hash > "$web/out/.source-hash"  # after the build: next may have touched tsconfig.json
