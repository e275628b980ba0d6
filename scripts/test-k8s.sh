#!/usr/bin/env bash
# test-k8s.sh - the cluster tier (tests/k8s/, ADR 0050): builds the Kubernetes, CoreDNS, Helm
# and Dapr control-plane programs (scripts/k8s/gobuild.sh) and the images (scripts/k8s/images.sh,
# scripts/k8s/dapr.sh image), brings up a single-node cluster in its own network namespace
# (scripts/k8s/with-cluster.sh, which always tears it down, also on failure or interrupt), and
# inside it: imports the images, installs the Dapr control plane, checks every values file's
# manifests with the real API server (server-side dry run), installs the chart with the local
# values (its exporters on, the api's LLM mode on a stand-in, ADR 0056), deploys the tier's own
# Prometheus (tests/k8s/prometheus/, ADR 0054) and runs the end-to-end tests and then the
# monitoring and logs checks (node:test, inside the cluster's network namespace).
# A timing line per phase; on failure the failing pods are described and their logs printed
# before the tear-down (docs/deploy/test-cluster.md).
#
# Usage: scripts/test-k8s.sh [extra node --test arguments...]
# Environment: TODO_K8S_NAME (default todo-k8s-test, the cluster's name and network
# namespace), TODO_K8S_CACHE (the machine-wide cache of programs and images), TODO_K8S_TAG (the
# tag of localhost/todo built from this tree and installed, default dev; the rollout test
# upgrades to the same image tagged "<tag>2").
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export TODO_K8S_NAME=${TODO_K8S_NAME:-todo-k8s-test}
tag=${TODO_K8S_TAG:-dev}
chart=deploy/helm/todo
release=todo
ns=todo
now() { date +%s; }
t0=${TODO_K8S_T0:-$(now)}
phase_start=${TODO_K8S_PHASE_START:-$t0}

log() { echo "test-k8s: $*" >&2; }
die() { log "$*"; exit 1; }
# phase NAME: prints how long the phase that just ended took, and the total so far
phase() {
    local n
    n=$(now)
    log "phase $1: $((n - phase_start))s (total $((n - t0))s)"
    phase_start=$n
}

K() { scripts/k8s/kubectl "$@"; }
H() { scripts/k8s/helm "$@"; }

# ---- outside the cluster: programs and images ----

outside() {
    for c in node buildah ctr; do
        command -v "$c" >/dev/null || die "$c is required (scripts/bootstrap.sh)"
    done
    nice -n 10 scripts/k8s/gobuild.sh kube-apiserver kube-controller-manager kube-scheduler kubelet \
        kube-proxy kubectl helm coredns operator sentry injector placement prometheus
    phase tools
    scripts/k8s/images.sh --tag "$tag"
    scripts/k8s/dapr.sh image
    phase images
    # the rest runs with the cluster up (with-cluster.sh exports KUBECONFIG, TODO_K8S_SOCK and
    # TODO_K8S_NETNS) and always tears it down; the inner phases print their own lines, the
    # last line ("tear-down") is the time from the tests' end to the wrapper's exit
    local rc=0 mark
    mark=$(mktemp)
    TODO_K8S_T0=$t0 TODO_K8S_PHASE_START=$(now) TODO_K8S_MARK=$mark \
        scripts/k8s/with-cluster.sh "$0" --in-cluster "$@" || rc=$?
    [[ -s $mark ]] && phase_start=$(<"$mark")
    rm -f "$mark"
    phase "tear-down"
    if [[ $rc -eq 0 ]]; then log "passed in $(($(now) - t0))s"; else log "FAILED (exit $rc) after $(($(now) - t0))s"; fi
    return "$rc"
}

# ---- inside with-cluster.sh ----

# The failing pods of the app's and Dapr's namespaces: described, with the logs of every
# container (the app and its daprd), the previous run's too when a container restarted.
diagnose() {
    log "diagnostics: pods, events, and the describe and logs of each unready or restarted pod"
    K get pods -A -o wide || true
    K get events -A --sort-by=.lastTimestamp 2>/dev/null | tail -n 40 || true
    local n p
    for n in "$ns" dapr-system monitoring; do
        K -n "$n" get pods -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.status.containerStatuses[*].ready}{" "}{.status.containerStatuses[*].restartCount}{"\n"}{end}' 2>/dev/null |
            awk '/false/ || $0 ~ / [1-9][0-9]*( |$)/ || NF < 2 {print $1}' |
            while read -r p; do
                echo "===== $n/$p: describe"
                K -n "$n" describe pod "$p" || true
                echo "===== $n/$p: logs (all containers)"
                K -n "$n" logs "$p" --all-containers --prefix --tail=150 || true
                echo "===== $n/$p: logs of the previous run (if any)"
                K -n "$n" logs "$p" --all-containers --prefix --previous --tail=80 2>/dev/null || true
            done
    done
}

# Keeps the documents of a multi-document YAML stream (stdin) whose apiVersion the cluster
# serves; the others' kinds go to stderr as "skipped" lines. Only the API groups of operators
# whose CRDs are not obtainable here may be missing (Strimzi, External Secrets, cert-manager,
# the Prometheus operator); any other kind the cluster does not serve fails the check.
optional_groups="kafka.strimzi.io external-secrets.io cert-manager.io monitoring.coreos.com"
served_only() {
    node -e '
        const served = new Set(process.argv[1].split("\n").filter(Boolean));
        const optional = new Set(process.argv[2].split(" "));
        let input = "";
        process.stdin.on("data", (d) => { input += d; });
        process.stdin.on("end", () => {
            const skipped = {};
            const out = [];
            for (const doc of input.split(/^---[^\n]*$/m)) {
                const av = /^apiVersion:\s*(\S+)/m.exec(doc);
                const kind = /^kind:\s*(\S+)/m.exec(doc);
                if (!av || !kind) continue;
                if (served.has(av[1].replace(/["\x27]/g, ""))) out.push(doc);
                else { const k = `${av[1]} ${kind[1]}`; skipped[k] = (skipped[k] || 0) + 1; }
            }
            let bad = 0;
            for (const [k, n] of Object.entries(skipped)) {
                const ok = optional.has(k.split("/")[0]);
                if (!ok) bad++;
                console.error(`${ok ? "skipped (its CRDs are not obtainable here)" : "NOT SERVED by this cluster"}: ${k} x${n}`);
            }
            if (bad) process.exitCode = 1;
            process.stdout.write(out.map((d) => "---" + d).join("\n") + "\n");
        });' "$1" "$optional_groups"
}

dry_run_all() {
    local served v out kube_version
    served=$(K api-versions)
    kube_version=$(K version -o json | node -e 'let s = ""; process.stdin.on("data", (d) => { s += d; }).on("end", () => console.log(JSON.parse(s).serverVersion.gitVersion))')
    K create namespace "$ns" --dry-run=client -o yaml | K apply -f - >/dev/null
    # every environment's values file (values.yaml alone names no Kafka: it is their defaults)
    for v in "$chart"/values-*.yaml; do
        [[ -f $v ]] || continue
        out=$(H template "$release" "$chart" -n "$ns" -f "$v" --kube-version "$kube_version" |
            served_only "$served" 2> >(sed "s|^|test-k8s: $(basename "$v"): |" >&2) |
            K apply --dry-run=server -n "$ns" -f - 2>&1) || { echo "$out" >&2; die "server-side dry run of $(basename "$v") failed"; }
        log "$(basename "$v"): $(grep -c . <<<"$out") objects accepted by the API server (dry run)"
    done
}

# The scrape configuration the cluster's Prometheus loads: the one the project ships
# (deploy/monitoring/scrape/prometheus.yaml), every interval set to 2 s, so rates have data
# seconds after the pods start, and a job for the kube-state-metrics beside it (what
# kube-prometheus-stack adds; ADR 0054). scrape_configs must be the file's last key.
scrape_config() {
    local f=deploy/monitoring/scrape/prometheus.yaml
    [[ -f $f ]] || die "$f is missing"
    [[ $(grep -E '^[a-z_]+:' "$f" | tail -n 1) == scrape_configs:* ]] ||
        die "$f: scrape_configs is not the last key (the tier appends a job to it)"
    local keys='scrape_interval|evaluation_interval|scrape_timeout'
    sed -E "s/^([[:space:]]*($keys):[[:space:]]*)[^[:space:]#]+/\\12s/" "$f"
    printf '%s\n' '' '  # added by scripts/test-k8s.sh: kube-state-metrics, in the Prometheus pod' \
        '  - job_name: kube-state-metrics' '    honor_labels: true' \
        "    static_configs: [{targets: ['localhost:8081']}]"
}

# Prometheus in the namespace monitoring (tests/k8s/prometheus/prometheus.yaml), Ready, with
# the rules of deploy/monitoring/rules/ (the recording rules some panels query).
deploy_prometheus() {
    local cfg rules=()
    cfg=$(mktemp)
    scrape_config >"$cfg"
    [[ -d deploy/monitoring/rules ]] && rules=(--from-file=deploy/monitoring/rules/)
    log "Prometheus: deploy/monitoring/scrape/prometheus.yaml (intervals 2 s)," \
        "deploy/monitoring/rules/"
    K apply -f tests/k8s/prometheus/prometheus.yaml >/dev/null
    K -n monitoring create configmap prometheus-config --from-file=prometheus.yml="$cfg" \
        --dry-run=client -o yaml | K apply -f - >/dev/null
    K -n monitoring create configmap prometheus-rules "${rules[@]}" \
        --dry-run=client -o yaml | K apply -f - >/dev/null
    rm -f "$cfg"
    K -n monitoring rollout status deployment/prometheus --timeout=120s >/dev/null ||
        { log "Prometheus did not become Ready"; return 1; }
}

# The LLM stand-in (tests/k8s/lib/llm-standin-server.mjs: a test double for a paid
# OpenAI-compatible service) inside the cluster's network namespace on the node's address,
# which the pods reach; the api's LLM mode points at it (llm_url), so the assistant's LLM
# panels get data (docs/decisions/0056-exporters-in-the-cluster-tier.md). Stopped by PID
# when the tier ends (and, like any process in the namespace, by the tear-down).
llm_host=10.244.0.1
llm_port=18181
llm_url=http://$llm_host:$llm_port/v1
llm_pid=
start_llm_standin() {
    local out
    out=$(mktemp)
    scripts/k8s/in-ns node tests/k8s/lib/llm-standin-server.mjs "$llm_host" "$llm_port" \
        >"$out" 2>&1 &
    llm_pid=$!
    local deadline=$((SECONDS + 30))
    until grep -q '^listening ' "$out"; do
        if ! kill -0 "$llm_pid" 2>/dev/null || ((SECONDS > deadline)); then
            cat "$out" >&2
            rm -f "$out"
            die "the LLM stand-in did not start on $llm_host:$llm_port"
        fi
        sleep 0.2
    done
    rm -f "$out"
    log "LLM stand-in: $llm_url (PID $llm_pid)"
}
stop_llm_standin() {
    [[ -n $llm_pid ]] || return 0
    kill "$llm_pid" 2>/dev/null || true
    wait "$llm_pid" 2>/dev/null || true
}

inside() {
    # the outer script's "tear-down" line starts when this ends, however it ends
    [[ -z ${TODO_K8S_MARK:-} ]] || trap 'stop_llm_standin; now >"$TODO_K8S_MARK"' EXIT
    [[ -n ${TODO_K8S_MARK:-} ]] || trap stop_llm_standin EXIT
    : "${KUBECONFIG:?with-cluster.sh exports KUBECONFIG}" "${TODO_K8S_SOCK:?with-cluster.sh exports TODO_K8S_SOCK}"
    phase "cluster up"
    # todo, postgres, kafka (dapr.sh install imports its own)
    scripts/k8s/images.sh import "$TODO_K8S_SOCK" --tag "$tag"
    # the rollout test upgrades to a new tag: the same image under another name
    ctr -a "$TODO_K8S_SOCK" -n k8s.io images tag --force "localhost/todo:$tag" "localhost/todo:${tag}2" >/dev/null
    phase "images imported"
    scripts/k8s/dapr.sh install >/dev/null
    phase "dapr installed"
    dry_run_all
    phase "dry runs"
    local rc=0
    start_llm_standin
    H install "$release" "$chart" -n "$ns" --create-namespace -f "$chart/values-local.yaml" \
        --set "image.tag=$tag" --set "roles.api.llm.baseUrl=$llm_url" \
        --set roles.api.llm.model=standin --wait --timeout 6m >/dev/null || rc=$?
    phase "helm install"
    if [[ $rc -eq 0 ]]; then
        deploy_prometheus || rc=$?
        phase prometheus
    fi
    if [[ $rc -eq 0 ]]; then
        TODO_K8S_NEW_TAG=${tag}2 scripts/k8s/in-ns node --test --test-concurrency=1 --test-timeout=600000 "$@" \
            tests/k8s/*.test.mjs || rc=$?
        phase tests
    else
        log "helm install failed (exit $rc)"
    fi
    [[ $rc -eq 0 ]] || diagnose
    return "$rc"
}

if [[ ${1:-} == --in-cluster ]]; then
    shift
    inside "$@"
else
    outside "$@"
fi
