#!/usr/bin/env bash
# gobuild.sh - builds the Go programs the cluster tier needs from the project's own Go modules
# under tools/ (Kubernetes, CoreDNS, Helm, the Dapr control plane), into the machine-wide cache
# so every clone and CI run on this machine shares them (docs/deploy/test-cluster.md).
#
# Usage: scripts/k8s/gobuild.sh TOOL...   builds each TOOL if its binary is not current and
#                                        prints nothing; exits non-zero if a build fails
#        scripts/k8s/gobuild.sh path TOOL prints the binary's path (does not build)
#
# TOOL is one of: kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy
# kubectl (module tools/k8s), coredns (tools/coredns), helm (tools/helm), operator sentry
# injector placement (tools/dapr-cp). A binary is current when the hash of its module's go.mod,
# go.sum and *.go matches the one recorded beside it.
#
# Environment: TODO_K8S_CACHE (default ~/.cache/todo-k8s); Go's own GOMODCACHE and GOCACHE as
# for any build (a cold Kubernetes build takes ~11 minutes on 2 cores, a warm one seconds).
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
cache=${TODO_K8S_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/todo-k8s}
bindir=$cache/bin

log() { echo "gobuild.sh: $*" >&2; }
die() { log "$*"; exit 1; }

# module_of TOOL -> "<module dir> <package> <ldflags>"
k8s_version=v1.34.4
dapr_version=1.16.5 dapr_commit=f167add0ab641afa210d61771820d0d178bc41ae
module_of() {
    local v=k8s.io/component-base/version cv=k8s.io/client-go/pkg/version
    local k8s_ld="-X $v.gitVersion=$k8s_version -X $v.gitMajor=1 -X $v.gitMinor=34 \
-X $v.gitTreeState=clean -X $v.buildDate=2026-01-01T00:00:00Z \
-X $v.gitCommit=0000000000000000000000000000000000000000 \
-X $cv.gitVersion=$k8s_version -X $cv.gitMajor=1 -X $cv.gitMinor=34"
    case $1 in
        kube-apiserver | kube-controller-manager | kube-scheduler | kubelet | kube-proxy | kubectl)
            echo "k8s k8s.io/kubernetes/cmd/$1 $k8s_ld" ;;
        coredns) echo "coredns . " ;;
        helm) echo "helm helm.sh/helm/v3/cmd/helm -X helm.sh/helm/v3/internal/version.version=v3.21.4" ;;
        operator | sentry | injector | placement)
            # As upstream's Makefile (v1.16.5 is commit f167add0 of github.com/dapr/dapr, the
            # Origin.Hash of the module's .info): /v1.0/metadata and every log line say 1.16.5.
            local b=github.com/dapr/dapr/pkg/buildinfo
            echo "dapr-cp github.com/dapr/dapr/cmd/$1 -X $b.version=$dapr_version \
-X $b.gitversion=v$dapr_version -X $b.gitcommit=$dapr_commit \
-X github.com/dapr/kit/logger.DaprVersion=$dapr_version" ;;
        # the workflows' linter (tools/actionlint, scripts/test-workflows.sh)
        actionlint) echo "actionlint github.com/rhysd/actionlint/cmd/actionlint \
-X github.com/rhysd/actionlint.version=v1.7.12" ;;
        *) die "unknown tool: $1" ;;
    esac
}

source_hash() {
    (cd "$repo/tools/$1" && cat go.mod go.sum ./*.go 2>/dev/null) | sha256sum | cut -d' ' -f1
}

build_one() {
    local tool=$1 mod pkg ld hash bin tmp start=$SECONDS
    read -r mod pkg ld <<<"$(module_of "$tool")"
    [[ -f $repo/tools/$mod/go.mod ]] || die "tools/$mod/go.mod is missing"
    hash=$(source_hash "$mod")
    bin=$bindir/$tool
    [[ -x $bin && -f $bin.hash && $(<"$bin.hash") == "$hash" ]] && return 0
    mkdir -p "$bindir"
    exec 9>"$bindir/.$tool.lock"
    flock 9
    if [[ -x $bin && -f $bin.hash && $(<"$bin.hash") == "$hash" ]]; then exec 9>&-; return 0; fi
    command -v go >/dev/null || die "go is required"
    log "building $tool (tools/$mod; a cold build can take minutes)"
    tmp=$bin.tmp.$$
    (cd "$repo/tools/$mod" && GOTOOLCHAIN=${GOTOOLCHAIN:-local} CGO_ENABLED=0 \
        go build -mod=readonly -trimpath -ldflags="-s -w $ld" -o "$tmp" "$pkg") ||
        { rm -f "$tmp"; die "go build of $tool failed"; }
    mv -f "$tmp" "$bin"
    echo "$hash" >"$bin.hash"
    exec 9>&-
    log "built $tool in $((SECONDS - start))s"
}

[[ $# -ge 1 ]] || die "usage: gobuild.sh TOOL... | gobuild.sh path TOOL"
if [[ $1 == path ]]; then
    [[ $# -eq 2 ]] || die "usage: gobuild.sh path TOOL"
    module_of "$2" >/dev/null
    echo "$bindir/$2"
    exit 0
fi
for t in "$@"; do build_one "$t"; done
