#!/usr/bin/env bash
# images.sh - builds the container images of the test cluster's own parts with buildah, from
# Debian's packages and this repository, without any image registry (docs/deploy/images.md,
# docs/decisions/0045-one-image-debian-bases.md).
#
# Usage:
#   scripts/k8s/images.sh [--tag T] [NAME...]   builds each NAME (default: all, in this order)
#       base      localhost/debian:bookworm      Debian bookworm (mmdebstrap, minbase variant)
#       todo      localhost/todo:T (T=dev)       deploy/Containerfile on that base
#       postgres  localhost/todo-postgres:15     deploy/images/postgres.Containerfile
#       kafka     localhost/todo-kafka:3.9.2     deploy/images/kafka.Containerfile
#       prometheus localhost/prometheus:2.42     deploy/images/prometheus.Containerfile (the
#                 cluster tier's own Prometheus and kube-state-metrics,
#                 tests/k8s/prometheus/; binaries by scripts/k8s/gobuild.sh)
#       postgres-exporter localhost/todo-postgres-exporter:0.11
#                 deploy/images/postgres-exporter.Containerfile (Debian's
#                 prometheus-postgres-exporter; the chart's monitoring.postgresExporter)
#     Each image is skipped when the hash of what it is made from is unchanged, so a rerun with
#     nothing changed prints nothing and takes seconds. The archives (docker-archive) are in
#     $TODO_K8S_CACHE/images (scripts/k8s/image.sh archive REF prints one's path).
#   scripts/k8s/images.sh check [--tag T] [NAME...]   checks the built images without a
#     cluster (tests/k8s/images/check.sh, which says what each check is): each image runs as
#     its non-root user, todo holds no compiler nor -dev package and serves on a read-only
#     root, postgres takes a password login, kafka answers a metadata request, and todo runs
#     on the other two (migrate; an event on task-events). Needs root.
#   scripts/k8s/images.sh refs [--tag T] [NAME...]   prints the references, one a line
#   scripts/k8s/images.sh import SOCKET [--tag T] [NAME...]   imports the archives of the
#     built images (default todo postgres kafka prometheus postgres-exporter: what pods run)
#     into the containerd at SOCKET
#
# Environment: TODO_K8S_CACHE (default ~/.cache/todo-k8s), TODO_CACHE (the Kafka jars and the
# JMX exporter agent: scripts/kafka.sh fetch, fetch-jmx-agent).
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
# cache, imgdir, bah, archive_of
source "$repo/scripts/k8s/buildah.sh"
image_sh=$repo/scripts/k8s/image.sh

BASE_REF=localhost/debian:bookworm
POSTGRES_REF=localhost/todo-postgres:15
KAFKA_VERSION=3.9.2
KAFKA_REF=localhost/todo-kafka:$KAFKA_VERSION
PROMETHEUS_REF=localhost/prometheus:2.42
POSTGRES_EXPORTER_REF=localhost/todo-postgres-exporter:0.11
# What the base holds beyond minbase: certificates for TLS clients (libcurl, Kafka's SASL/TLS).
BASE_INCLUDE=ca-certificates
# Left out of every image built on the base (kept in dpkg's config inside it): documentation,
# manual pages and translations. Copyright files stay.
BASE_DPKG_OPTS=(
    'path-exclude=/usr/share/doc/*' 'path-include=/usr/share/doc/*/copyright'
    'path-exclude=/usr/share/man/*' 'path-exclude=/usr/share/info/*'
    'path-exclude=/usr/share/locale/*' 'path-include=/usr/share/locale/locale.alias'
)

log() { echo "images.sh: $*" >&2; }
die() { log "$*"; exit 1; }

# sha256 of stdin
digest() { sha256sum | cut -c1-64; }

# The content hash of the tracked files (and untracked, not ignored ones) under PATHS, as
# they are in the working tree.
tree_hash() {
    (cd "$repo" && git ls-files -z --cached --others --exclude-standard -- "$@" |
        LC_ALL=C sort -z | xargs -0 -r sha256sum | digest)
}

# The apt sources the base is made from: the machine's own (they reach Debian's packages).
host_sources() {
    if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
        echo /etc/apt/sources.list.d/debian.sources
    elif [[ -s /etc/apt/sources.list ]]; then
        echo /etc/apt/sources.list
    else
        die "no apt sources found (/etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list)"
    fi
}

base_key() {
    {
        echo "mmdebstrap minbase merged-usr bookworm $(dpkg --print-architecture) $BASE_INCLUDE"
        printf '%s\n' "${BASE_DPKG_OPTS[@]}"
        cat "$(host_sources)"
    } | digest
}

build_base() {
    local out key start=$SECONDS
    out=$(archive_of "$BASE_REF")
    key=$(base_key)
    mkdir -p "$imgdir"
    exec 7>"$out.lock"
    flock 7
    if [[ -f $out && -f $out.key && $(<"$out.key") == "$key" ]]; then
        ensure_base_in_storage
        exec 7>&-
        return 0
    fi
    command -v mmdebstrap >/dev/null || die "mmdebstrap not found (scripts/bootstrap.sh installs it)"
    log "building $BASE_REF (mmdebstrap)"
    local tmp rootfs dopts=() o
    tmp=$(mktemp -d "$imgdir/base.XXXXXX")
    rootfs=$tmp/rootfs.tar
    for o in "${BASE_DPKG_OPTS[@]}"; do dopts+=("--dpkgopt=$o"); done
    # merged-usr hook: /usr merged by mmdebstrap itself, not by the usrmerge package (which
    # would pull perl into every image)
    if ! mmdebstrap --quiet --variant=minbase --include="$BASE_INCLUDE" "${dopts[@]}" \
            --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
            --aptopt='APT::Install-Recommends "false"' \
            bookworm "$rootfs" "$(host_sources)" >"$tmp/mmdebstrap.log" 2>&1; then
        cat "$tmp/mmdebstrap.log" >&2
        rm -rf "$tmp"
        die "mmdebstrap failed"
    fi
    local before; before=$(image_id "$BASE_REF")
    "$image_sh" load "$BASE_REF" "$rootfs" || { rm -rf "$tmp"; die "importing the base failed"; }
    [[ -z $before ]] || bah rmi "$before" >/dev/null 2>&1 || true
    rm -f "$out"
    bah push --quiet "$BASE_REF" "docker-archive:$out.tmp:$BASE_REF" >/dev/null ||
        { rm -rf "$tmp"; die "saving $BASE_REF failed"; }
    mv -f "$out.tmp" "$out"
    echo "$key" >"$out.key"
    rm -rf "$tmp"
    exec 7>&-
    log "built $BASE_REF ($(du -h "$out" | cut -f1)) in $((SECONDS - start))s"
}

# The images built FROM the base find it in buildah's storage: put it back from its archive
# when the storage lost it (a `buildah rmi`, a fresh storage).
ensure_base_in_storage() {
    bah inspect --type image "$BASE_REF" >/dev/null 2>&1 && return 0
    log "restoring $BASE_REF from its archive"
    bah pull --quiet "docker-archive:$(archive_of "$BASE_REF")" >/dev/null ||
        die "restoring $BASE_REF failed"
    bah inspect --type image "$BASE_REF" >/dev/null 2>&1 ||
        die "$BASE_REF is not in buildah's storage after restoring it"
}

# builds REF from CONTAINERFILE (relative to the repo) with KEY, on the base.
build_on_base() {
    local ref=$1 key=$2 ctx=$3 file=$4
    shift 4
    build_base
    key=$(printf '%s %s\n' "$key" "$(<"$(archive_of "$BASE_REF").key")" | digest)
    local before after
    before=$(image_id "$ref")
    restore_kept "$ref" "$key"
    "$image_sh" build "$ref" "$key" "$ctx" "$file" --network host \
        --build-arg "BASE=$BASE_REF" "$@"
    keep "$ref" "$key"
    after=$(image_id "$ref")
    # vfs keeps a whole copy per image: drop the one this build replaced (kept if a container
    # still uses it)
    if [[ -n $before && $before != "$after" ]]; then
        bah rmi "$before" >/dev/null 2>&1 || true
    fi
}

# The last few builds of each image stay in $imgdir/kept, by key: clones of the repository on
# one machine share the cache, and one building its tree after another's must not undo it
# (each switch back would be a rebuild).
kept_of() { echo "$imgdir/kept/$(basename "$(archive_of "$1")" .tar)-$2.tar"; }

keep() {
    local ref=$1 key=$2 out kept
    out=$(archive_of "$ref")
    kept=$(kept_of "$ref" "$key")
    [[ -f $kept || ! -f $out || $(<"$out.key") != "$key" ]] && return 0
    mkdir -p "${kept%/*}"
    ln -f "$out" "$kept.tmp" 2>/dev/null || cp "$out" "$kept.tmp"
    mv -f "$kept.tmp" "$kept"
    # the three newest of this image
    local prefix=${kept%-*}-
    ls -1t "$prefix"*.tar 2>/dev/null | while read -r f; do
        [[ ${f#"$prefix"} =~ ^[0-9a-f]{64}\.tar$ ]] && echo "$f"
    done | tail -n +4 | xargs -r rm -f
}

# Puts back the kept build of REF with KEY, if there is one and the current archive is another
# (into buildah's storage too: the checks run what the storage holds). A build of the same
# sources under another tag (localhost/todo:dev for localhost/todo:v2) is the same image:
# tagged and saved, not rebuilt.
restore_kept() {
    local ref=$1 key=$2 out kept other
    out=$(archive_of "$ref")
    [[ -f $out && -f $out.key && $(<"$out.key") == "$key" ]] && return 0
    kept=$(kept_of "$ref" "$key")
    if [[ ! -f $kept ]]; then
        other=$(ls -1t "$imgdir/kept/$(basename "$(archive_of "${ref%:*}:")" .tar)"*"-$key.tar" \
            2>/dev/null | head -n 1 || true)
        [[ -n $other ]] || return 0
    fi
    exec 6>"$out.lock"
    flock 6
    if [[ -f $kept ]]; then
        ln -f "$kept" "$out.tmp" 2>/dev/null || cp "$kept" "$out.tmp"
        bah pull --quiet "docker-archive:$out.tmp" >/dev/null || die "restoring $ref from $kept failed"
        touch "$kept"
    else
        local id
        id=$(bah pull --quiet "docker-archive:$other") || die "loading $other failed"
        bah tag "$id" "$ref" || die "tagging $ref failed"
        rm -f "$out.tmp"
        bah push --quiet "$ref" "docker-archive:$out.tmp:$ref" >/dev/null || die "saving $ref failed"
    fi
    mv -f "$out.tmp" "$out"
    echo "$key" >"$out.key"
    exec 6>&-
}

image_id() { bah images --quiet --no-trunc "$1" 2>/dev/null | head -n 1 || true; }

build_todo() {
    local tag=$1 key
    # The web UI is built on the host (docs/decisions/0045-one-image-debian-bases.md: Debian
    # bookworm's Node.js is older than Next.js needs); a no-op when its sources are unchanged.
    "$repo/scripts/build-web.sh"
    key=$({
        tree_hash src CMakeLists.txt docs/openapi.json deploy/Containerfile .containerignore \
            scripts/build-web.sh scripts/csp-hashes.mjs
        cat "$repo/web/out/.source-hash"
    } | digest)
    build_on_base "localhost/todo:$tag" "$key" "$repo" "$repo/deploy/Containerfile"
}

build_postgres() {
    local key; key=$(tree_hash deploy/images/postgres.Containerfile deploy/images/postgres-entrypoint.sh)
    build_on_base "$POSTGRES_REF" "$key" "$repo/deploy/images" \
        "$repo/deploy/images/postgres.Containerfile"
}

build_kafka() {
    local key libs ctx
    TODO_CACHE=${TODO_CACHE:-$repo/.cache} "$repo/scripts/kafka.sh" fetch
    libs=${TODO_CACHE:-$repo/.cache}/kafka-$KAFKA_VERSION/libs
    [[ -f $libs/.complete ]] || die "the Kafka jars are not in $libs"
    # the Prometheus JMX exporter agent and its rules (off unless KAFKA_JMX_EXPORTER_PORT is set;
    # the chart's monitoring.kafkaExporter, docs/decisions/0056-exporters-in-the-cluster-tier.md)
    jmx=$(TODO_CACHE=${TODO_CACHE:-$repo/.cache} "$repo/scripts/kafka.sh" fetch-jmx-agent)
    key=$({
        tree_hash deploy/images/kafka.Containerfile deploy/images/kafka-entrypoint.sh \
            deploy/images/kafka-single-node.properties \
            deploy/monitoring/exporters/kafka-jmx.yaml
        (cd "$libs" && ls -1 *.jar | LC_ALL=C sort)
        sha256sum <"$jmx"
    } | digest)
    # A context of its own: the entry point and the jars (hard links where the file system
    # allows, so no copy of the 47 MB of jars on every build).
    mkdir -p "$cache/ctx"
    ctx=$(mktemp -d "$cache/ctx/kafka.XXXXXX")
    mkdir -p "$ctx/libs" "$ctx/jmx-exporter"
    cp "$repo/deploy/images/kafka-entrypoint.sh" "$repo/deploy/images/kafka-single-node.properties" \
        "$ctx/"
    cp -l "$libs"/*.jar "$ctx/libs/" 2>/dev/null || cp "$libs"/*.jar "$ctx/libs/"
    cp "$jmx" "$ctx/jmx-exporter/jmx_prometheus_javaagent.jar"
    cp "$repo/deploy/monitoring/exporters/kafka-jmx.yaml" "$ctx/jmx-exporter/kafka-jmx.yaml"
    # shellcheck disable=SC2064
    trap "rm -rf '$ctx'" EXIT
    build_on_base "$KAFKA_REF" "$key" "$ctx" "$repo/deploy/images/kafka.Containerfile"
    rm -rf "$ctx"
    trap - EXIT
}

# PostgreSQL's exporter: Debian's prometheus-postgres-exporter on the base, non-root (the
# chart's monitoring.postgresExporter; docs/decisions/0056-exporters-in-the-cluster-tier.md).
build_postgres_exporter() {
    local key; key=$(tree_hash deploy/images/postgres-exporter.Containerfile)
    build_on_base "$POSTGRES_EXPORTER_REF" "$key" "$repo/deploy/images" \
        "$repo/deploy/images/postgres-exporter.Containerfile"
}

# Prometheus: upstream's v2.42.0 built by scripts/k8s/gobuild.sh (Debian's package has no
# Kubernetes discovery; docs/decisions/0054-cluster-prometheus.md), and kube-state-metrics
# beside it; the key is the Containerfile and the binaries' hashes. A context of its own
# holding only the binaries.
build_prometheus() {
    local key bin ctx b
    nice -n 10 "$repo/scripts/k8s/gobuild.sh" prometheus kube-state-metrics
    mkdir -p "$cache/ctx"
    ctx=$(mktemp -d "$cache/ctx/prometheus.XXXXXX")
    # shellcheck disable=SC2064
    trap "rm -rf '$ctx'" EXIT
    for b in prometheus kube-state-metrics; do
        bin=$("$repo/scripts/k8s/gobuild.sh" path "$b")
        cp -l "$bin" "$ctx/$b" 2>/dev/null || cp "$bin" "$ctx/$b"
    done
    key=$({
        tree_hash deploy/images/prometheus.Containerfile
        (cd "$ctx" && sha256sum prometheus kube-state-metrics)
    } | digest)
    build_on_base "$PROMETHEUS_REF" "$key" "$ctx" "$repo/deploy/images/prometheus.Containerfile"
    rm -rf "$ctx"
    trap - EXIT
}

names_all=(base todo postgres kafka prometheus postgres-exporter)
tag=dev
sub=build sock=
case ${1:-} in
    check | refs) sub=$1; shift ;;
    import) sub=import; sock=${2:-}; [[ -n $sock ]] || die "usage: images.sh import SOCKET [NAME...]"; shift 2 ;;
esac
names=()
while (($#)); do
    case $1 in
        --tag) [[ $# -ge 2 ]] || die "--tag needs a value"; tag=$2; shift 2 ;;
        --tag=*) tag=${1#--tag=}; shift ;;
        base | todo | postgres | kafka | prometheus | postgres-exporter) names+=("$1"); shift ;;
        -h | --help) sed -n '2,32p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument: $1 (names: ${names_all[*]})" ;;
    esac
done
[[ $tag =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || die "not a valid image tag: $tag"
if ((${#names[@]} == 0)); then
    names=("${names_all[@]}")
    [[ $sub == import ]] && names=(todo postgres kafka prometheus postgres-exporter)
fi

ref_of() {
    case $1 in
        base) echo "$BASE_REF" ;;
        todo) echo "localhost/todo:$tag" ;;
        postgres) echo "$POSTGRES_REF" ;;
        kafka) echo "$KAFKA_REF" ;;
        prometheus) echo "$PROMETHEUS_REF" ;;
        postgres-exporter) echo "$POSTGRES_EXPORTER_REF" ;;
    esac
}

case $sub in
    refs)
        for n in "${names[@]}"; do ref_of "$n"; done ;;
    import)
        refs=()
        for n in "${names[@]}"; do refs+=("$(ref_of "$n")"); done
        "$image_sh" import "$sock" "${refs[@]}" ;;
    check)
        exec "$repo/tests/k8s/images/check.sh" --tag "$tag" "${names[@]}" ;;
    build)
        for n in "${names[@]}"; do
            case $n in
                base) build_base ;;
                todo) build_todo "$tag" ;;
                postgres) build_postgres ;;
                kafka) build_kafka ;;
                prometheus) build_prometheus ;;
                postgres-exporter) build_postgres_exporter ;;
            esac
        done ;;
esac
