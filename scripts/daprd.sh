#!/usr/bin/env bash
# daprd.sh - builds and checks the Dapr sidecar (daprd) the tests run beside the app.
#
# Usage: scripts/daprd.sh build     builds tools/daprd (a daprd with only the components in
#                                   tools/daprd/components.go) into
#                                   ${TODO_CACHE:-<repo>/.cache}/daprd-<version>/daprd;
#                                   a fast no-op when that binary is current
#        scripts/daprd.sh path      prints that path (does not build)
#        scripts/daprd.sh selftest  builds if needed, starts daprd standalone with no app and
#                                   a local.file + local.env secret store, waits for it, checks
#                                   /v1.0/metadata and reads a secret from each store, stops it
#                                   with SIGTERM; exits non-zero on any failure
#
# Why built, not downloaded: docs/decisions/0011-daprd-built-from-go-proxy.md.
# The version is the github.com/dapr/dapr requirement in tools/daprd/go.mod. The binary is
# rebuilt when tools/daprd/{go.mod,go.sum,*.go} change (hash kept in .source-hash beside it).
#
# Go caches: the build uses Go's own GOMODCACHE and GOCACHE (by default ~/go/pkg/mod and
# ~/.cache/go-build), not the repo's .cache, so every checkout and CI run on the same machine
# shares the downloaded modules (~1.5 GB) and compiled packages (~1.2 GB). Set GOMODCACHE or
# GOCACHE to move them. -mod=readonly: tools/daprd/go.sum must already list every module.
#
# Environment: TODO_CACHE (cache root), DAPRD_SELFTEST_TIMEOUT (seconds to wait for readiness,
# default 60), GOPROXY etc. as for any Go build.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
moddir=$repo/tools/daprd
cache_root=${TODO_CACHE:-$repo/.cache}

log() { echo "daprd.sh: $*" >&2; }
die() { log "$*"; exit 1; }

dapr_version() {
    local v
    v=$(awk '$1 == "github.com/dapr/dapr" && $2 ~ /^v/ { print $2; exit }' "$moddir/go.mod")
    [[ -n $v ]] || die "no github.com/dapr/dapr requirement in $moddir/go.mod"
    echo "$v"
}

DAPR_VERSION=$(dapr_version)
bindir=$cache_root/daprd-$DAPR_VERSION
bin=$bindir/daprd

source_hash() {
    (cd "$moddir" && cat go.mod go.sum ./*.go) | sha256sum | cut -d' ' -f1
}

is_current() {
    [[ -x $bin && -f $bindir/.source-hash && $(<"$bindir/.source-hash") == "$1" ]]
}

cmd_build() {
    local hash
    hash=$(source_hash)
    is_current "$hash" && return 0
    command -v go >/dev/null || die "go is required to build daprd"
    mkdir -p "$bindir"
    # One build at a time per cache dir (parallel test jobs may all ask for it).
    exec 9>"$bindir/.lock"
    flock 9
    if is_current "$hash"; then exec 9>&-; return 0; fi

    local pkg=github.com/dapr/dapr/pkg/buildinfo start=$SECONDS tmp=$bindir/daprd.tmp.$$ commit
    log "building daprd $DAPR_VERSION (cold builds take several minutes)"
    # The release tag's commit, as the module proxy recorded it (for --build-info, as upstream).
    commit=$(cd "$moddir" && GOTOOLCHAIN=${GOTOOLCHAIN:-local} go mod download -json \
        "github.com/dapr/dapr@$DAPR_VERSION" 2>/dev/null |
        sed -n 's/^[[:space:]]*"Hash": "\([0-9a-f]*\)",\{0,1\}$/\1/p' | head -n1) || commit=
    (
        cd "$moddir"
        # Go 1.21+ would otherwise try to download a toolchain if go.mod asked for a newer one.
        GOTOOLCHAIN=${GOTOOLCHAIN:-local} CGO_ENABLED=0 go build -mod=readonly -trimpath \
            -ldflags="-s -w -X $pkg.version=${DAPR_VERSION#v} -X $pkg.gitversion=$DAPR_VERSION \
-X $pkg.gitcommit=$commit -X github.com/dapr/kit/logger.DaprVersion=${DAPR_VERSION#v}" \
            -o "$tmp" .
    ) || { rm -f "$tmp"; die "go build failed"; }
    mv -f "$tmp" "$bin"
    echo "$hash" >"$bindir/.source-hash"
    exec 9>&-
    log "built $bin ($(du -h "$bin" | cut -f1)) in $((SECONDS - start))s"
}

# ------------------------------------------------------------------------------ selftest
# port_in_use, free_port
source "$(dirname "${BASH_SOURCE[0]}")/lib/ports.sh"

cmd_selftest() {
    cmd_build
    command -v curl >/dev/null || die "curl is required"
    command -v jq >/dev/null || die "jq is required"

    local tmp pid="" http grpc igrpc metrics deadline ok=0
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/daprd-selftest.XXXXXX")
    # shellcheck disable=SC2064
    trap "selftest_cleanup '$tmp'" EXIT
    mkdir -p "$tmp/resources" "$tmp/home"

    printf '{"greeting": "hello from local.file", "nested": {"key": "nested value"}}\n' \
        >"$tmp/secrets.json"
    cat >"$tmp/resources/secrets.yaml" <<EOF
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: selftest-file
spec:
  type: secretstores.local.file
  version: v1
  metadata:
  - name: secretsFile
    value: $tmp/secrets.json
  - name: nestedSeparator
    value: ":"
---
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: selftest-env
spec:
  type: secretstores.local.env
  version: v1
  metadata:
  - name: prefix
    value: "TODO_DAPRD_SELFTEST_"
EOF

    http=$(free_port)
    grpc=$(free_port "$http")
    igrpc=$(free_port "$http" "$grpc")
    metrics=$(free_port "$http" "$grpc" "$igrpc")

    log "starting $bin (http $http, grpc $grpc, internal grpc $igrpc, metrics $metrics)"
    # HOME in the temp dir: standalone daprd looks for ~/.dapr/{components,config.yaml}.
    HOME=$tmp/home TODO_DAPRD_SELFTEST_TOKEN=hello-from-local-env \
        "$bin" --app-id selftest --mode standalone \
        --dapr-http-port "$http" --dapr-grpc-port "$grpc" \
        --dapr-internal-grpc-port "$igrpc" --metrics-port "$metrics" \
        --dapr-listen-addresses 127.0.0.1 --dapr-internal-grpc-listen-address 127.0.0.1 \
        --metrics-listen-address 127.0.0.1 \
        --resources-path "$tmp/resources" --log-level info \
        >"$tmp/daprd.log" 2>&1 &
    pid=$!
    echo "$pid" >"$tmp/daprd.pid"

    local base=http://127.0.0.1:$http
    deadline=$((SECONDS + ${DAPRD_SELFTEST_TIMEOUT:-60}))
    until curl -fsS -o /dev/null --max-time 2 "$base/v1.0/healthz/outbound" 2>/dev/null; do
        kill -0 "$pid" 2>/dev/null || fail "$tmp" "daprd exited before becoming ready"
        ((SECONDS < deadline)) || fail "$tmp" "daprd not ready within ${DAPRD_SELFTEST_TIMEOUT:-60}s"
        sleep 0.2
    done
    log "ready (outbound healthz) after ~$((SECONDS - deadline + ${DAPRD_SELFTEST_TIMEOUT:-60}))s"

    local meta
    meta=$(curl -fsS --max-time 5 "$base/v1.0/metadata") || fail "$tmp" "GET /v1.0/metadata failed"
    echo "$meta" >"$tmp/metadata.json"
    [[ $(jq -r .id <<<"$meta") == selftest ]] || fail "$tmp" "metadata id is not selftest: $meta"
    log "runtime version $(jq -r '.runtimeVersion // "?"' <<<"$meta")"
    local name type
    for name in selftest-file:secretstores.local.file selftest-env:secretstores.local.env; do
        type=${name#*:} name=${name%%:*}
        jq -e --arg n "$name" --arg t "$type" \
            '.components | any(.name == $n and .type == $t)' <<<"$meta" >/dev/null ||
            fail "$tmp" "metadata does not list component $name ($type): $(jq -c .components <<<"$meta")"
    done

    local got
    got=$(curl -fsS --max-time 5 "$base/v1.0/secrets/selftest-file/greeting") ||
        fail "$tmp" "GET /v1.0/secrets/selftest-file/greeting failed"
    [[ $(jq -r .greeting <<<"$got") == "hello from local.file" ]] ||
        fail "$tmp" "unexpected local.file secret: $got"
    got=$(curl -fsS --max-time 5 "$base/v1.0/secrets/selftest-file/nested:key") ||
        fail "$tmp" "GET /v1.0/secrets/selftest-file/nested:key failed"
    [[ $(jq -r '."nested:key"' <<<"$got") == "nested value" ]] ||
        fail "$tmp" "unexpected nested local.file secret: $got"
    got=$(curl -fsS --max-time 5 "$base/v1.0/secrets/selftest-env/TOKEN") ||
        fail "$tmp" "GET /v1.0/secrets/selftest-env/TOKEN failed"
    [[ $(jq -r .TOKEN <<<"$got") == "hello-from-local-env" ]] ||
        fail "$tmp" "unexpected local.env secret: $got"
    log "secrets read from selftest-file and selftest-env"

    # Graceful stop: SIGTERM, then wait (daprd's default graceful shutdown is 5s).
    kill -TERM "$pid"
    deadline=$((SECONDS + 15))
    while kill -0 "$pid" 2>/dev/null; do
        ((SECONDS < deadline)) || fail "$tmp" "daprd still running 15s after SIGTERM"
        sleep 0.2
    done
    local rc=0
    wait "$pid" || rc=$?
    pid=""
    ((rc == 0)) || fail "$tmp" "daprd exited with status $rc after SIGTERM"
    grep -q 'daprd stopped cleanly' "$tmp/daprd.log" ||
        fail "$tmp" "daprd log lacks 'daprd stopped cleanly'"
    log "selftest passed ($bin)"
}

fail() {
    local tmp=$1
    shift
    log "selftest FAILED: $*"
    if [[ -f $tmp/daprd.log ]]; then
        log "---- daprd log (last 60 lines) ----"
        tail -n 60 "$tmp/daprd.log" >&2
    fi
    exit 1
}

selftest_cleanup() {
    local tmp=$1 pid
    if [[ -f $tmp/daprd.pid ]]; then
        pid=$(<"$tmp/daprd.pid")
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null || true
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -rf "$tmp"
}

case ${1:-} in
build) cmd_build ;;
path) echo "$bin" ;;
selftest) cmd_selftest ;;
*)
    echo "usage: $0 build|path|selftest" >&2
    exit 2
    ;;
esac
