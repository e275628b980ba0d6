# cluster-images.sh - part of cluster.sh (sourced): the cluster's own images, localhost/pause:3.10
# (Kubernetes' pause.c from the k8s.io/kubernetes module zip, static) and localhost/coredns:1.12.4
# (tools/coredns), both FROM scratch, built by scripts/k8s/image.sh and keyed by the binaries'
# hashes so a rebuild happens only when a binary changed.

pause_version=3.10
coredns_version=1.12.4

# build_pause: $k8s_cache/bin/pause from pause.c of the Kubernetes module pinned in tools/k8s
build_pause() {
    local out=$k8s_cache/bin/pause dir src
    dir=$(cd "$k8s_repo/tools/k8s" && go mod download -json k8s.io/kubernetes |
        sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    src=$dir/build/pause/linux/pause.c
    [[ -f $src ]] || k8s_die "pause.c not found in the Kubernetes module ($src)"
    if [[ -x $out && -f $out.hash && $(<"$out.hash") == $(sha256sum <"$src") ]]; then return 0; fi
    mkdir -p "$k8s_cache/bin"
    gcc -Os -Wall -Werror -static -DVERSION="v$pause_version-todo" -o "$out.tmp.$$" "$src" ||
        k8s_die "gcc -static of pause.c failed (is libc6-dev installed?)"
    strip "$out.tmp.$$"
    mv -f "$out.tmp.$$" "$out"
    sha256sum <"$src" >"$out.hash"
}

# build_image REF BINARY CONTAINERFILE: REF from a context holding only BINARY
build_image() {
    local ref=$1 bin=$2 file=$3 ctx key
    key=$(cat "$bin" "$file" | sha256sum | cut -d' ' -f1)
    ctx=$(mktemp -d)
    cp "$bin" "$ctx/"
    "$k8s_repo/scripts/k8s/image.sh" build "$ref" "$key" "$ctx" "$file" || {
        rm -rf "$ctx"
        k8s_die "building $ref failed"
    }
    rm -rf "$ctx"
}

cmd_images() {
    nice -n 10 "$k8s_repo/scripts/k8s/gobuild.sh" coredns
    build_pause
    build_image "localhost/pause:$pause_version" "$k8s_cache/bin/pause" \
        "$cluster_dir/pause.Containerfile"
    build_image "localhost/coredns:$coredns_version" "$(k8s_bin coredns)" \
        "$cluster_dir/coredns.Containerfile"
}
