# shellcheck shell=bash
# buildah.sh - sourced by the image scripts (images.sh, image.sh, tests/k8s/images/check.sh),
# never run: where the test tier keeps images and buildah's own storage, and buildah on it.
# TODO_K8S_CACHE (default ~/.cache/todo-k8s, one per machine) holds both.

cache=${TODO_K8S_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/todo-k8s}
imgdir=$cache/images
# vfs: no overlay mounts or daemon needed; its own root, apart from any other buildah use
buildah_store=(--storage-driver vfs --root "$cache/buildah/root" --runroot "$cache/buildah/run")

bah() { buildah "${buildah_store[@]}" "$@"; }

# The archive an image is kept in: localhost/todo:dev -> $imgdir/localhost_todo_dev.tar
archive_of() { echo "$imgdir/$(echo "$1" | tr '/:' '__').tar"; }
