#!/usr/bin/env bash
# image.sh - builds container images with buildah (no Docker engine, no registry) into archives in
# the machine-wide cache, and imports archives into a containerd (docs/deploy/test-cluster.md).
#
# Usage:
#   scripts/k8s/image.sh build REF KEY CONTEXT CONTAINERFILE [buildah bud args...]
#       Builds REF (e.g. localhost/todo:dev) from CONTAINERFILE with CONTEXT unless the archive
#       for REF was already built with the same KEY (a hash of everything the image is made
#       from; the caller computes it). Extra args go to `buildah bud` (--build-arg K=V, ...).
#       Prints nothing on success.
#   scripts/k8s/image.sh archive REF      prints the path of REF's archive (docker-archive format)
#   scripts/k8s/image.sh load REF TARBALL imports a root filesystem tarball as a one-layer image
#                                         REF (used for bases made by mmdebstrap)
#   scripts/k8s/image.sh import SOCKET REF...
#       Imports each REF's archive into the containerd at SOCKET (namespace k8s.io).
#
# Environment: TODO_K8S_CACHE (default ~/.cache/todo-k8s). buildah keeps its own storage under
# $TODO_K8S_CACHE/buildah (vfs driver, chroot isolation, so it needs no daemon and no overlay
# support); archives are in $TODO_K8S_CACHE/images.
set -euo pipefail

# cache, imgdir, bah, archive_of
source "$(dirname "${BASH_SOURCE[0]}")/buildah.sh"

log() { echo "image.sh: $*" >&2; }
die() { log "$*"; exit 1; }

cmd_build() {
    [[ $# -ge 4 ]] || die "usage: image.sh build REF KEY CONTEXT CONTAINERFILE [args...]"
    local ref=$1 key=$2 ctx=$3 file=$4 out start=$SECONDS
    shift 4
    out=$(archive_of "$ref")
    mkdir -p "$imgdir"
    exec 8>"$out.lock"
    flock 8
    if [[ -f $out && -f $out.key && $(<"$out.key") == "$key" ]]; then exec 8>&-; return 0; fi
    log "building $ref"
    bah bud --quiet --isolation chroot --layers=false -t "$ref" -f "$file" "$@" "$ctx" >/dev/null ||
        die "buildah bud of $ref failed"
    rm -f "$out"
    bah push --quiet "$ref" "docker-archive:$out.tmp:$ref" || die "saving $ref failed"
    mv -f "$out.tmp" "$out"
    echo "$key" >"$out.key"
    exec 8>&-
    log "built $ref ($(du -h "$out" | cut -f1)) in $((SECONDS - start))s"
}

cmd_load() {
    [[ $# -eq 2 ]] || die "usage: image.sh load REF TARBALL"
    local ref=$1 tarball=$2 ctr
    ctr=$(bah from scratch)
    bah add "$ctr" "$tarball" / >/dev/null
    bah commit --quiet --rm "$ctr" "$ref" >/dev/null
}

cmd_import() {
    [[ $# -ge 2 ]] || die "usage: image.sh import SOCKET REF..."
    local sock=$1 ref out
    shift
    for ref in "$@"; do
        out=$(archive_of "$ref")
        [[ -f $out ]] || die "no archive for $ref (build it first)"
        ctr -a "$sock" -n k8s.io images import "$out" >/dev/null ||
            die "import of $ref failed"
    done
}

[[ $# -ge 1 ]] || die "usage: image.sh build|archive|load|import ..."
sub=$1
shift
case $sub in
    build) cmd_build "$@" ;;
    archive) archive_of "$1" ;;
    load) cmd_load "$@" ;;
    import) cmd_import "$@" ;;
    *) die "unknown command: $sub" ;;
esac
