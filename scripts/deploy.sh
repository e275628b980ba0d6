#!/usr/bin/env bash
# deploy.sh - rolls a released image out to one cloud's cluster and proves it works: the step of
# the release workflow's deploy jobs (docs/deploy/ci-cd.md), also usable by hand with any
# kubeconfig. The chart is deploy/helm/todo with the cloud's values file
# (deploy/helm/todo/values-CLOUD.yaml), then the environment's own values, then the image:
#
#   1. `helm upgrade --install --atomic --wait`: a rollout that does not become ready is
#      rolled back by helm itself (a first install is removed);
#   2. scripts/smoke.sh URL against the deployed address;
#   3. when the smoke test fails: `helm rollback` to the revision that was live before (none on
#      a first install: the release stays for inspection), and exit 1.
#
# Usage: scripts/deploy.sh CLOUD IMAGE_REPOSITORY TAG URL
#   CLOUD       aks, gke or oke (any NAME with a values-NAME.yaml works)
#   IMAGE_REPOSITORY, TAG   e.g. ghcr.io/owner/todo and the commit's SHA (lower-cased here:
#               registries refuse capitals)
#   URL         the deployed address the smoke test checks (https://todo.example.com)
# Environment: HELM (helm), DEPLOY_RELEASE (todo), DEPLOY_NAMESPACE (todo), HELM_TIMEOUT (10m),
# DEPLOY_HELM_VALUES (YAML text: the environment's own values, e.g. ingress.host, kafka.brokers,
# image.pullSecrets; written to a private file and given after the cloud's file), SMOKE_TIMEOUT.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

say() { printf 'deploy: %s\n' "$*" >&2; }
[[ $# -eq 4 ]] || { echo "usage: scripts/deploy.sh CLOUD IMAGE_REPOSITORY TAG URL" >&2; exit 2; }
cloud=$1 repository=${2,,} tag=$3 url=$4
chart=deploy/helm/todo
values=$chart/values-$cloud.yaml
[[ -f $values ]] || { say "no values file $values"; exit 2; }
[[ -n $tag && -n $repository && -n $url ]] || { say "empty argument"; exit 2; }
helm=${HELM:-helm} release=${DEPLOY_RELEASE:-todo} ns=${DEPLOY_NAMESPACE:-todo}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/todo-deploy.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
args=(-f "$values")
if [[ -n ${DEPLOY_HELM_VALUES:-} ]]; then
    (umask 077 && printf '%s\n' "$DEPLOY_HELM_VALUES" >"$tmp/environment.yaml")
    args+=(-f "$tmp/environment.yaml")
fi

# the revision live now (empty before the first install)
previous=$("$helm" history "$release" -n "$ns" --max 1 -o json 2>/dev/null |
    node -e 'let s = ""; process.stdin.on("data", (d) => { s += d; }).on("end", () => {
      const h = JSON.parse(s || "[]"); if (h.length) console.log(h[h.length - 1].revision); });' ||
    true)
say "release $release in $ns (live revision: ${previous:-none}), image $repository:$tag"

"$helm" upgrade --install "$release" "$chart" -n "$ns" "${args[@]}" \
    --set-string image.repository="$repository" --set-string image.tag="$tag" \
    --atomic --wait --timeout "${HELM_TIMEOUT:-10m}"

if scripts/smoke.sh "$url"; then
    say "deployed $repository:$tag to $cloud; the smoke test passed"
    exit 0
fi
if [[ -n $previous ]]; then
    say "the smoke test failed: rolling back to revision $previous"
    "$helm" rollback "$release" "$previous" -n "$ns" --wait --timeout "${HELM_TIMEOUT:-10m}"
else
    say "the smoke test failed after a first install: nothing to roll back to"
fi
exit 1
