#!/usr/bin/env bash
# mailpit.sh - builds the SMTP server the notification tests deliver e-mail to (Mailpit,
# checked through its HTTP API), from the Go module proxy at a pinned version, like daprd
# (docs/decisions/0011-daprd-built-from-go-proxy.md).
#
# Usage: scripts/mailpit.sh build   builds github.com/axllent/mailpit at $MAILPIT_VERSION into
#                                   ${TODO_CACHE:-<repo>/.cache}/mailpit-<version>/mailpit;
#                                   a fast no-op when that binary exists
#        scripts/mailpit.sh path    prints that path (does not build)
#
# Go's own module and build caches are used (GOMODCACHE, GOCACHE), as for daprd.
set -euo pipefail

MAILPIT_VERSION=v1.33.1
repo=$(cd "$(dirname "$0")/.." && pwd)
cache_root=${TODO_CACHE:-$repo/.cache}
bindir=$cache_root/mailpit-$MAILPIT_VERSION
bin=$bindir/mailpit

log() { echo "mailpit.sh: $*" >&2; }

cmd_build() {
    [[ -x $bin ]] && return 0
    command -v go >/dev/null || { log "go is required to build mailpit"; exit 1; }
    mkdir -p "$bindir"
    exec 9>"$bindir/.lock" # one build at a time per cache dir
    flock 9
    if [[ -x $bin ]]; then exec 9>&-; return 0; fi
    local tmp=$bindir/gobin.$$ start=$SECONDS
    log "building mailpit $MAILPIT_VERSION"
    mkdir -p "$tmp"
    GOTOOLCHAIN=${GOTOOLCHAIN:-local} CGO_ENABLED=0 GOBIN=$tmp \
        go install -trimpath -ldflags="-s -w" "github.com/axllent/mailpit@$MAILPIT_VERSION" ||
        { rm -rf "$tmp"; log "go install failed"; exit 1; }
    mv -f "$tmp/mailpit" "$bin"
    rm -rf "$tmp"
    exec 9>&-
    log "built $bin in $((SECONDS - start))s"
}

case ${1:-} in
build) cmd_build ;;
path) echo "$bin" ;;
*)
    echo "usage: $0 build|path" >&2
    exit 2
    ;;
esac
