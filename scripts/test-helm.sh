#!/usr/bin/env bash
# test-helm.sh - the Helm chart's tier (deploy/helm/todo, docs/deploy/README.md): builds helm
# from the project's Go module (scripts/k8s/gobuild.sh, cached machine-wide), then
#   1. `helm lint --strict` with every values file (values.schema.json: a typo fails),
#   2. `helm template` of every values file, and the checks of tests/helm/test_chart.py on the
#      rendered manifests: security context, probes and resources of every container, Dapr
#      annotations of every Deployment, a NetworkPolicy per workload and a default deny, the
#      migration Job a hook without sidecar, Dapr components scoped, no Secret rendered by a
#      cloud values file, every TODO_* variable the chart sets documented in
#      docs/operations.md, the OKE values inside the Always-Free shape -- and each check shown
#      to fail on a manifest that breaks its requirement.
# No cluster is needed: the server-side dry run against a real API server is make test-k8s's.
# Needs python3 with PyYAML (Debian's python3-yaml; scripts/bootstrap.sh --test). HELM
# overrides the helm binary. Extra arguments go to unittest (e.g. -k strimzi).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
chart=deploy/helm/todo

if [[ -z ${HELM:-} ]]; then
    nice -n 10 scripts/k8s/gobuild.sh helm
    HELM=$(scripts/k8s/gobuild.sh path helm)
fi
export HELM
python3 -c 'import yaml' 2>/dev/null ||
    { echo "test-helm: python3 with PyYAML is required (scripts/bootstrap.sh --test)" >&2; exit 2; }

status=0
for values in "$chart"/values-*.yaml; do
    if out=$("$HELM" lint --strict "$chart" -f "$values" 2>&1); then
        echo "test-helm: lint $(basename "$values"): ok"
    else
        echo "$out" >&2
        echo "test-helm: lint $(basename "$values"): FAILED" >&2
        status=1
    fi
done
(cd tests/helm && python3 -m unittest -v "$@" test_chart) || status=1
exit $status
