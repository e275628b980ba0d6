#!/usr/bin/env bash
# deploy_k8s.sh - scripts/deploy.sh (the release's deploy step) against a real cluster: the
# single-node test cluster of make test-k8s (docs/deploy/test-cluster.md), under its own
# TODO_K8S_NAME (default todo-deploy), always torn down. Not part of make test (a cluster and
# three rollouts take minutes); run it by hand after changing scripts/deploy.sh:
#
#   tests/workflows/deploy_k8s.sh          (root; scripts/bootstrap.sh --test)
#
# With the chart's values-local.yaml (cloud "local"):
#   1. a first `helm install` as the cluster tier does, to learn the front door's address;
#   2. deploy.sh to tag dev2 with the front door's URL: the rollout, the smoke test pass, the
#      release is at dev2;
#   3. deploy.sh to tag dev with a URL where nothing answers: the smoke test fails, deploy.sh
#      exits 1 and has rolled the release back to the revision of step 2 (tag dev2 again).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
export TODO_K8S_NAME=${TODO_K8S_NAME:-todo-deploy}
say() { printf 'deploy_k8s: %s\n' "$*" >&2; }
die() { say "FAILED: $*"; exit 1; }
chart=deploy/helm/todo ns=todo release=todo

if [[ ${1:-} != --in-cluster ]]; then
    nice -n 10 scripts/k8s/gobuild.sh kube-apiserver kube-controller-manager kube-scheduler \
        kubelet kube-proxy kubectl helm coredns operator sentry injector placement
    scripts/k8s/images.sh --tag dev
    scripts/k8s/dapr.sh image
    exec scripts/k8s/with-cluster.sh "$0" --in-cluster
fi

K() { scripts/k8s/kubectl "$@"; }
H() { scripts/k8s/helm "$@"; }
scripts/k8s/images.sh import "$TODO_K8S_SOCK" --tag dev
ctr -a "$TODO_K8S_SOCK" -n k8s.io images tag --force localhost/todo:dev localhost/todo:dev2 >/dev/null
scripts/k8s/dapr.sh install >/dev/null
say "cluster, images and Dapr ready"

# 1. the first install, then the front door's address inside the cluster's network
H install "$release" "$chart" -n "$ns" --create-namespace -f "$chart/values-local.yaml" \
    --set image.tag=dev --wait --timeout 8m >/dev/null
ip=$(K -n "$ns" get service todo-web -o jsonpath='{.spec.clusterIP}')
[[ -n $ip ]] || die "no front door Service"
url=http://$ip:8080
say "installed; front door at $url"
tag_of() { H get values "$release" -n "$ns" -a -o json | node -e 'let s = "";
  process.stdin.on("data", (d) => { s += d; }).on("end", () => console.log(JSON.parse(s).image.tag));'; }
revision() { H history "$release" -n "$ns" --max 1 -o json | node -e 'let s = "";
  process.stdin.on("data", (d) => { s += d; }).on("end", () => { const h = JSON.parse(s);
  console.log(h[h.length - 1].revision, h[h.length - 1].description); });'; }

# 2. a deploy that works
scripts/k8s/in-ns env HELM=helm HELM_TIMEOUT=8m scripts/deploy.sh local localhost/todo dev2 "$url" ||
    die "deploy.sh failed on a working rollout"
[[ $(tag_of) == dev2 ]] || die "the release is not at dev2 after the deploy"
read -r good _ < <(revision)
say "ok: deploy to dev2 (revision $good): rollout and smoke test passed"

# 3. a deploy whose smoke test fails is rolled back
dead=http://127.0.0.1:9
if scripts/k8s/in-ns env HELM=helm HELM_TIMEOUT=8m SMOKE_TIMEOUT=5 \
    scripts/deploy.sh local localhost/todo dev "$dead"; then
    die "deploy.sh passed though its smoke test cannot pass"
fi
read -r now desc < <(revision)
[[ $(tag_of) == dev2 ]] || die "after the failed smoke test the release is not back at dev2"
[[ $desc == "Rollback to $good" ]] || die "the last revision is '$now $desc', not a rollback to $good"
say "ok: a failed smoke test rolled back to revision $good (revision $now: $desc)"
