#!/usr/bin/env bash
# dapr.sh - the Dapr 1.16.5 control plane on the test cluster: its image, its install from the
# Dapr Helm chart inside the Go module, and a proof that injected sidecars work
# (docs/deploy/dapr.md, docs/decisions/0046-dapr-on-kubernetes.md).
#
# Usage:
#   scripts/k8s/dapr.sh image     builds localhost/dapr:1.16.5 (FROM scratch: /operator /sentry
#                                 /injector /placement /daprd, uid 65532) into the image cache;
#                                 prints nothing when it is current
#   scripts/k8s/dapr.sh install   (cluster up, its env exported: KUBECONFIG, TODO_K8S_SOCK, as
#                                 `scripts/k8s/cluster.sh env` prints) builds the image if needed,
#                                 imports it into the cluster's containerd and installs (or
#                                 upgrades) the chart as release `dapr` in namespace dapr-system
#                                 with our image, the scheduler off, HA off, and waits for it
#   scripts/k8s/dapr.sh check     (Dapr installed) proves a sidecar works: two busybox apps
#                                 annotated dapr.io/enabled get daprd injected, reach Ready with a
#                                 Sentry-issued certificate (mTLS on), read a Secret through a
#                                 secretstores.kubernetes component, and one invokes the other by
#                                 app id (nameresolution.kubernetes); removes its namespace after
#   scripts/k8s/dapr.sh selftest  brings a cluster up under TODO_K8S_NAME (default k8s-dapr) with
#                                 scripts/k8s/with-cluster.sh, runs install and check, and always
#                                 tears the cluster down; exits non-zero on any failure
#
# Environment: TODO_K8S_CACHE (image and binary cache, as gobuild.sh and image.sh), TODO_CACHE
# (where scripts/daprd.sh keeps daprd), TODO_DAPR_PLACEMENT=1 (also run placement, for actors;
# off by default: Todo uses no actors), TODO_DAPR_TIMEOUT (seconds for the install and each
# check to become ready, default 300).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${TODO_K8S_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/todo-k8s}
timeout=${TODO_DAPR_TIMEOUT:-300}

DAPR_VERSION=1.16.5
IMAGE=localhost/dapr:$DAPR_VERSION
SELFTEST_IMAGE=localhost/dapr-selftest:1
NAMESPACE=dapr-system
RELEASE=dapr
SELFTEST_NS=dapr-selftest

log() { echo "dapr.sh: $*" >&2; }
tmps=()
trap 'rm -rf "${tmps[@]}"' EXIT
# new_tmp NAME: a temp dir in $TMP, removed at exit
new_tmp() { TMP=$(mktemp -d "${TMPDIR:-/tmp}/dapr-$1.XXXXXX"); tmps+=("$TMP"); }
die() { log "$*"; exit 1; }

kubectl() { "$here/kubectl" "$@"; }
helm() { "$here/helm" "$@"; }

# ------------------------------------------------------------------------------ image
cp_tools=(operator sentry injector placement)

# The control plane, daprd and the chart must be one Dapr version: both modules pin it.
check_versions() {
    local m v
    for m in dapr-cp daprd; do
        v=$(awk '{ for (i = 1; i < NF; i++) if ($i == "github.com/dapr/dapr" && $(i + 1) ~ /^v/) {
            print $(i + 1); exit } }' "$repo/tools/$m/go.mod")
        [[ $v == "v$DAPR_VERSION" ]] ||
            die "tools/$m/go.mod requires github.com/dapr/dapr ${v:-(none)}, dapr.sh installs v$DAPR_VERSION"
    done
}

cmd_image() {
    local ctx key t daprd
    check_versions
    nice -n 10 "$here/gobuild.sh" "${cp_tools[@]}"
    nice -n 10 "$repo/scripts/daprd.sh" build
    daprd=$("$repo/scripts/daprd.sh" path)
    new_tmp image
    ctx=$TMP
    for t in "${cp_tools[@]}"; do ln "$("$here/gobuild.sh" path "$t")" "$ctx/$t" 2>/dev/null ||
        cp "$("$here/gobuild.sh" path "$t")" "$ctx/$t"; done
    ln "$daprd" "$ctx/daprd" 2>/dev/null || cp "$daprd" "$ctx/daprd"
    image_etc "$ctx/etc"
    key=$(cd "$ctx" && { sha256sum operator sentry injector placement daprd; find etc -type f |
        sort | xargs sha256sum; cat "$repo/deploy/images/dapr.Containerfile"; } | sha256sum |
        cut -d' ' -f1)
    "$here/image.sh" build "$IMAGE" "$key" "$ctx" "$repo/deploy/images/dapr.Containerfile"
}

# image_etc DIR: the few files a FROM scratch image needs: the user Dapr runs as (65532, named
# nonroot as in Dapr's own distroless images) and the CA bundle for components that reach a
# TLS service outside the cluster.
image_etc() {
    mkdir -p "$1/ssl/certs"
    printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$1/passwd"
    printf 'root:x:0:\nnonroot:x:65532:\n' >"$1/group"
    if [[ -f /etc/ssl/certs/ca-certificates.crt ]]; then
        cp /etc/ssl/certs/ca-certificates.crt "$1/ssl/certs/"
    fi
}

# ------------------------------------------------------------------------------ install
need_cluster() {
    [[ -n ${KUBECONFIG:-} && -n ${TODO_K8S_SOCK:-} ]] ||
        die "no cluster: run under scripts/k8s/with-cluster.sh or eval \"\$(scripts/k8s/cluster.sh env)\""
}

# The chart ships inside the github.com/dapr/dapr module zip that tools/dapr-cp requires.
chart_dir() {
    local dir
    dir=$(cd "$repo/tools/dapr-cp" && GOTOOLCHAIN=${GOTOOLCHAIN:-local} go mod download -json \
        "github.com/dapr/dapr@v$DAPR_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    [[ -n $dir && -f $dir/charts/dapr/Chart.yaml ]] || die "no Dapr chart in the module cache"
    echo "$dir/charts/dapr"
}

# Values for the local cluster: every control-plane pod and every injected sidecar run our one
# image (an image name containing "/" is taken as is by the chart); nothing is pulled.
write_values() {
    local actors=false
    [[ ${TODO_DAPR_PLACEMENT:-0} == 1 ]] && actors=true
    cat >"$1" <<EOF
global:
  registry: localhost
  tag: "$DAPR_VERSION"
  imagePullPolicy: IfNotPresent
  ha:
    enabled: false
  # The scheduler (Jobs API) cannot be built here: docs/deploy/dapr.md.
  scheduler:
    enabled: false
  # Placement runs only for actors, which Todo does not use.
  actors:
    enabled: $actors
  mtls:
    enabled: true
  prometheus:
    enabled: true
dapr_operator:
  image:
    name: "$IMAGE"
dapr_sentry:
  image:
    name: "$IMAGE"
dapr_placement:
  image:
    name: "$IMAGE"
dapr_scheduler:
  image:
    name: "$IMAGE"
dapr_sidecar_injector:
  injectorImage:
    name: "$IMAGE"
  image:
    name: "$IMAGE"
  sidecarImagePullPolicy: IfNotPresent
EOF
}

cmd_install() {
    need_cluster
    local chart values start=$SECONDS
    cmd_image
    "$here/image.sh" import "$TODO_K8S_SOCK" "$IMAGE"
    chart=$(chart_dir)
    new_tmp values
    values=$TMP/values.yaml
    write_values "$values"
    log "installing the Dapr $DAPR_VERSION chart into $NAMESPACE"
    helm upgrade --install "$RELEASE" "$chart" --namespace "$NAMESPACE" --create-namespace \
        --values "$values" --wait --timeout "${timeout}s" >/dev/null ||
        { kubectl -n "$NAMESPACE" get pods -o wide >&2 || true; die "helm install of Dapr failed"; }
    log "Dapr control plane ready in $((SECONDS - start))s"
}

# ------------------------------------------------------------------------------ check
selftest_image() {
    local ctx key
    new_tmp selftest-image
    ctx=$TMP
    command -v busybox >/dev/null || die "busybox (Debian's busybox-static) is required"
    cp "$(command -v busybox)" "$ctx/busybox"
    if command -v file >/dev/null && [[ $(file -L "$ctx/busybox") != *'statically linked'* ]]; then
        die "busybox must be statically linked (Debian's busybox-static)"
    fi
    mkdir -p "$ctx/www"
    echo "hello from selftest-server" >"$ctx/www/hello.txt"
    key=$(cd "$ctx" && cat busybox www/hello.txt "$here/dapr-selftest.Containerfile" | sha256sum |
        cut -d' ' -f1)
    "$here/image.sh" build "$SELFTEST_IMAGE" "$key" "$ctx" "$here/dapr-selftest.Containerfile"
    "$here/image.sh" import "$TODO_K8S_SOCK" "$SELFTEST_IMAGE"
}

# One app per Deployment: selftest-server serves /www on 8081 (its sidecar's app port),
# selftest-client only sleeps and is where the test calls its sidecar from.
selftest_manifest() {
    cat <<EOF
apiVersion: v1
kind: Namespace
metadata:
  name: $SELFTEST_NS
---
apiVersion: v1
kind: Secret
metadata:
  name: selftest-secret
  namespace: $SELFTEST_NS
stringData:
  greeting: hello-from-kubernetes
---
# daprd reads Secrets with its pod's service account.
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: secret-reader
  namespace: $SELFTEST_NS
rules:
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: secret-reader
  namespace: $SELFTEST_NS
subjects:
- kind: ServiceAccount
  name: default
  namespace: $SELFTEST_NS
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: secret-reader
---
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: selftest-secrets
  namespace: $SELFTEST_NS
spec:
  type: secretstores.kubernetes
  version: v1
  metadata: []
$(selftest_deployment selftest-server '"httpd", "-f", "-p", "8081", "-h", "/www"' \
    'dapr.io/app-port: "8081"')
$(selftest_deployment selftest-client '"sleep", "86400"' \
    'dapr.io/sidecar-listen-addresses: "0.0.0.0"')
EOF
}

# selftest_deployment NAME ARGS EXTRA_ANNOTATION
selftest_deployment() {
    cat <<EOF
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: $1
  namespace: $SELFTEST_NS
spec:
  replicas: 1
  selector:
    matchLabels: {app: $1}
  template:
    metadata:
      labels: {app: $1}
      annotations:
        dapr.io/enabled: "true"
        dapr.io/app-id: "$1"
        dapr.io/enable-metrics: "true"
        ${3:-dapr.io/log-level: info}
    spec:
      terminationGracePeriodSeconds: 2
      securityContext:
        runAsNonRoot: true
        runAsUser: 65532
        seccompProfile: {type: RuntimeDefault}
      containers:
      - name: app
        image: $SELFTEST_IMAGE
        imagePullPolicy: IfNotPresent
        args: [$2]
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          capabilities: {drop: [ALL]}
EOF
}

# sidecar_get POD PATH: GET http://<POD's IP>:3500PATH, the sidecar's HTTP API, with curl from
# the cluster's network namespace (the client's sidecar listens on its pod IP for this:
# dapr.io/sidecar-listen-addresses; the static busybox in the pod is no HTTP client: its wget
# crashes at times, and its nc half-closes the connection, which cancels Go's request context).
# Prints the body; fails on a non-2xx status.
sidecar_get() {
    local ip out
    ip=$(kubectl -n "$SELFTEST_NS" get pod "$1" -o jsonpath='{.status.podIP}')
    out=$("$here/in-ns" curl -sS -m 30 --fail-with-body "http://$ip:3500$2" 2>&1) ||
        { log "GET $2 in $1: $out"; return 1; }
    printf '%s\n' "$out"
}

# metric_value IP NAME: the sum of the Prometheus counter NAME (all label sets) served on
# IP:9090 (global.prometheus.port, and the sidecars' metrics port).
metric_value() {
    local out
    out=$("$here/in-ns" curl -sS -m 30 --fail "http://$1:9090/metrics") || return 1
    awk -v n="$2" '$1 == n || index($1, n "{") == 1 { s += $2; f = 1 }
        END { if (!f) exit 1; printf "%d\n", s }' <<<"$out"
}

# sentry_signed: how many certificates Sentry has signed (its metrics, global.prometheus.port).
sentry_signed() {
    local ip
    ip=$(kubectl -n "$NAMESPACE" get pods -l app=dapr-sentry -o jsonpath='{.items[0].status.podIP}')
    metric_value "$ip" dapr_sentry_cert_sign_success_total
}

pod_of() {
    kubectl -n "$SELFTEST_NS" get pods -l "app=$1" --field-selector=status.phase=Running \
        -o jsonpath='{.items[0].metadata.name}'
}

cmd_check() {
    need_cluster
    local start=$SECONDS client server body signed signed_before
    selftest_image
    kubectl delete namespace "$SELFTEST_NS" --ignore-not-found --wait=true >/dev/null
    signed_before=$(sentry_signed) || die "no metrics from sentry"
    selftest_manifest | kubectl apply -f - >/dev/null
    for d in selftest-server selftest-client; do
        kubectl -n "$SELFTEST_NS" rollout status "deployment/$d" --timeout="${timeout}s" >/dev/null ||
            { check_diagnose; die "$d did not become Ready"; }
    done
    client=$(pod_of selftest-client)
    server=$(pod_of selftest-server)

    # 1. The injector added our daprd, in Kubernetes mode with mTLS, and it is Ready.
    local spec
    spec=$(kubectl -n "$SELFTEST_NS" get pod "$client" -o \
        jsonpath='{range .spec.containers[?(@.name=="daprd")]}{.image} {.args}{end}')
    [[ $spec == "$IMAGE "* ]] || { check_diagnose; die "no daprd sidecar ($IMAGE) was injected: '$spec'"; }
    for want in '"--mode","kubernetes"' '"--enable-mtls"' '"--sentry-address"' '"--control-plane-address"'; do
        [[ $spec == *"$want"* ]] || die "the injected daprd lacks $want: $spec"
    done
    log "daprd injected in $client and $server (mode kubernetes, --enable-mtls)"

    # 2. Its workload certificate came from Sentry (only logged after a signed certificate).
    # (Logs are read whole before matching: grep -q would close the pipe early.)
    local logs
    for p in "$client" "$server"; do
        logs=$(kubectl -n "$SELFTEST_NS" logs "$p" -c daprd)
        [[ $logs == *'Security is initialized successfully'* ]] ||
            { check_diagnose; die "daprd in $p has no Sentry-issued certificate"; }
    done
    logs=$(kubectl -n "$NAMESPACE" logs deployment/dapr-sentry)
    [[ $logs == *'ver=1.16.5'* ]] || die "sentry does not log version 1.16.5"
    # The same in Sentry's metrics (what a monitoring system sees): it signed at least one more
    # certificate per sidecar since the test's pods were created. (daprd's own
    # dapr_runtime_mtls_init_total stays unset: daprd counts it before its metrics start.)
    signed=$(sentry_signed) || die "no metrics from sentry"
    ((signed - signed_before >= 2)) ||
        die "sentry signed $((signed - signed_before)) certificates for the test's 2 sidecars"
    log "both sidecars hold a certificate issued by Sentry ($((signed - signed_before)) signed)"

    # 3. Version and components as the sidecar reports them.
    body=$(sidecar_get "$client" /v1.0/metadata) || { check_diagnose; die "metadata failed"; }
    [[ $body == *'"runtimeVersion":"1.16.5"'* ]] || die "metadata: runtime version is not 1.16.5: $body"
    [[ $body == *'"selftest-secrets"'* ]] || die "metadata: component selftest-secrets not loaded: $body"

    # 4. A secret through secretstores.kubernetes.
    body=$(sidecar_get "$client" /v1.0/secrets/selftest-secrets/selftest-secret) ||
        { check_diagnose; die "reading the secret failed"; }
    [[ $body == *'"greeting":"hello-from-kubernetes"'* ]] || die "secret: unexpected body: $body"
    log "secret read through secretstores.kubernetes"

    # 5. Service invocation by app id: client sidecar -> (mTLS) -> server sidecar -> server app.
    logs=$(kubectl -n "$SELFTEST_NS" logs "$client" -c daprd)
    [[ $logs == *'Initialized name resolution to kubernetes'* ]] ||
        die "the client's daprd does not resolve app ids with nameresolution.kubernetes"
    body=$(sidecar_get "$client" /v1.0/invoke/selftest-server/method/hello.txt) ||
        { check_diagnose; die "invoking selftest-server failed"; }
    [[ $body == "hello from selftest-server" ]] || die "invoke: unexpected body: $body"
    log "selftest-client invoked selftest-server by app id (nameresolution.kubernetes, mTLS)"

    kubectl delete namespace "$SELFTEST_NS" --wait=false >/dev/null
    log "check passed in $((SECONDS - start))s"
}

check_diagnose() {
    {
        kubectl -n "$SELFTEST_NS" get pods -o wide
        kubectl -n "$NAMESPACE" get pods -o wide
        local p
        for p in $(kubectl -n "$SELFTEST_NS" get pods -o name); do
            echo "--- $p daprd"
            kubectl -n "$SELFTEST_NS" logs "$p" -c daprd --tail=30
        done
    } >&2 2>&1 || true
}

# ------------------------------------------------------------------------------ selftest
cmd_selftest() {
    export TODO_K8S_NAME=${TODO_K8S_NAME:-k8s-dapr}
    local start=$SECONDS
    cmd_image # before the cluster: a cold build takes minutes
    "$here/with-cluster.sh" "$here/dapr.sh" install-and-check
    log "selftest passed in $((SECONDS - start))s"
}

[[ $# -eq 1 ]] || die "usage: dapr.sh image|install|check|selftest"
case $1 in
    image) cmd_image ;;
    install) cmd_install ;;
    check) cmd_check ;;
    install-and-check) cmd_install && cmd_check ;;
    selftest) cmd_selftest ;;
    *) die "unknown command: $1" ;;
esac
