# npm.sh - npm helpers shared by the scripts (source it).

# Installs DIR's packages exactly as DIR/package-lock.json pins them, from the npm registry.
# npm ci wipes and reinstalls, so it runs only when node_modules was not installed from this
# very lock file (a copy of the lock inside node_modules says).
npm_ci_if_changed() {
    local dir=$1
    if ! cmp -s "$dir/package-lock.json" "$dir/node_modules/.installed-lock.json" 2>/dev/null; then
        # The registry answers 503 at times (a CI rehearsal's MCP tier failed so): npm's own
        # retries are short, so the whole install is tried up to three times.
        local attempt
        for attempt in 1 2 3; do
            (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error --fetch-retries=4) >&2 &&
                break
            ((attempt < 3)) || return 1
            echo "npm ci in $dir failed (attempt $attempt of 3); trying again" >&2
            sleep $((attempt * 10))
        done
        cp "$dir/package-lock.json" "$dir/node_modules/.installed-lock.json"
    fi
}

# Fails unless node is at least MAJOR.MINOR (Next.js 16 needs 20.9).
require_node() {
    local want=$1 have
    command -v node >/dev/null || { echo "node $want or newer is required" >&2; return 2; }
    have=$(node -p 'process.versions.node')
    if ! node -e '
        const [a, b] = process.argv.slice(1).map((v) => v.split(".").map(Number));
        process.exit(a[0] > b[0] || (a[0] === b[0] && a[1] >= b[1]) ? 0 : 1);' "$have" "$want"; then
        echo "node $want or newer is required (found $have)" >&2
        return 2
    fi
}
