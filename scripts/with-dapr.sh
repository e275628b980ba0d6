#!/usr/bin/env bash
# with-dapr.sh - runs a command beside a throw-away Dapr sidecar (daprd, built by
# scripts/daprd.sh) whose pubsub.kafka component talks to the broker of scripts/with-kafka.sh;
# daprd is always stopped and its folder removed afterwards.
#
# Usage: scripts/with-kafka.sh scripts/with-dapr.sh APP_PORT COMMAND [ARGS...]
#   APP_PORT  the port the app (the command) will listen on, on 127.0.0.1; daprd asks it
#             GET /dapr/subscribe once it listens and pushes messages to it. 0: no app
#             (publishing only, as the bus unit tests do).
#
# The command sees DAPR_HTTP_PORT and DAPR_GRPC_PORT (the app's own convention; `todo`
# honours DAPR_HTTP_PORT), TODO_TEST_DAPR_HTTP_PORT and TODO_TEST_DAPR_PUBSUB (for the unit
# tests), and TODO_TEST_DAPR_LOG (daprd's log file). Exits with the command's status.
# SIGTERM / SIGINT are passed on to the command; daprd is stopped after it exits.
#
# Environment: TODO_TEST_KAFKA_BROKERS (required: with-kafka.sh sets it),
#   TODO_DAPR_CONSUMER_GROUP (the component's consumerGroup, default "todo": give each role
#   its own, e.g. "audit"), TODO_DAPR_APP_ID (default "todo"), TODO_DAPR_PUBSUB (the
#   component name, default "pubsub"), TODO_DAPR_INBOUND_RETRIES (the resiliency policy's
#   maxRetries for deliveries answered RETRY or failed, before the dead-letter topic;
#   default 10), DAPRD_START_TIMEOUT / DAPRD_STOP_TIMEOUT (seconds, default 60 / 15),
#   DAPRD_LOG_LEVEL (default info), DAPRD_BIN (a daprd to use instead of building one with
#   scripts/daprd.sh build). APP_API_TOKEN, when set, reaches daprd and the command alike:
#   daprd sends it as dapr-api-token, which `todo --bus dapr` requires (docs/operations.md);
#   the app then serves the callbacks on --dapr-app-listen, whose port is APP_PORT.
#
# Readiness: GET /v1.0/healthz/outbound (components loaded; the app need not be up yet, it
# is started next). Dead letters need the inbound retry policy: without one, daprd sends a
# message the app answered RETRY to the dead-letter topic at once (REFERENCE.md, Dapr).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

log() { echo "with-dapr: $*" >&2; }
die() { log "$*"; exit 2; }

(($# >= 2)) || die "usage: $0 APP_PORT COMMAND [ARGS...]"
app_port=$1
shift
[[ $app_port =~ ^[0-9]+$ ]] && ((app_port <= 65535)) || die "bad APP_PORT: $app_port"
[[ -n ${TODO_TEST_KAFKA_BROKERS:-} ]] ||
    die "TODO_TEST_KAFKA_BROKERS is not set (run under scripts/with-kafka.sh)"
command -v curl >/dev/null || die "curl is required"

if [[ -n ${DAPRD_BIN:-} ]]; then
    daprd=$DAPRD_BIN
else
    "$here/daprd.sh" build >&2 # a no-op when current; waits for a build in progress (flock)
    daprd=$("$here/daprd.sh" path)
fi
[[ -x $daprd ]] || die "no daprd at $daprd"

pubsub=${TODO_DAPR_PUBSUB:-pubsub}
group=${TODO_DAPR_CONSUMER_GROUP:-todo}
app_id=${TODO_DAPR_APP_ID:-todo}
retries=${TODO_DAPR_INBOUND_RETRIES:-10}
start_timeout=${DAPRD_START_TIMEOUT:-60}
stop_timeout=${DAPRD_STOP_TIMEOUT:-15}

# port_in_use, free_port
source "$(dirname "${BASH_SOURCE[0]}")/lib/ports.sh"

dir=$(mktemp -d /tmp/todo-dapr.XXXXXX)
pid=""
stop_daprd() {
    [[ -n $pid ]] || return 0
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        local deadline=$((SECONDS + stop_timeout))
        while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            log "daprd still running ${stop_timeout}s after SIGTERM; killing it"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    wait "$pid" 2>/dev/null || true
    pid=""
}
cleanup() {
    local rc=$?
    stop_daprd
    if ((rc != 0)) && [[ -f $dir/daprd.log ]]; then
        log "exit status $rc; daprd log (last 40 lines):"
        tail -n 40 "$dir/daprd.log" >&2 || true
    fi
    rm -rf "$dir"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$dir/resources" "$dir/home"
cat >"$dir/resources/pubsub.yaml" <<EOF
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: $pubsub
spec:
  type: pubsub.kafka
  version: v1
  metadata:
  - name: brokers
    value: "$TODO_TEST_KAFKA_BROKERS"
  - name: authType
    value: "none"
  - name: consumerGroup
    value: "$group"
  - name: clientID
    value: "$app_id-$group"
  - name: initialOffset
    value: "oldest"
EOF
cat >"$dir/resources/resiliency.yaml" <<EOF
apiVersion: dapr.io/v1alpha1
kind: Resiliency
metadata:
  name: todo-pubsub
spec:
  policies:
    retries:
      pubsubInbound:
        policy: exponential
        maxInterval: 5s
        maxRetries: $retries
  targets:
    components:
      $pubsub:
        inbound:
          retry: pubsubInbound
EOF

app_args=()
((app_port > 0)) && app_args=(--app-port "$app_port" --app-protocol http)

# start_daprd: picks four free ports and starts daprd on them; waits until it is ready.
# Returns 1 when daprd exited because a port was taken between the pick and its bind (the
# caller tries again with new ports), exits the script on any other failure.
start_daprd() {
    http=$(free_port "$app_port")
    grpc=$(free_port "$app_port" "$http")
    igrpc=$(free_port "$app_port" "$http" "$grpc")
    metrics=$(free_port "$app_port" "$http" "$grpc" "$igrpc")
    log "starting daprd (app $app_id, app port $app_port, http $http, consumer group $group)"
    # HOME in the temp dir: standalone daprd would read ~/.dapr/{components,config.yaml}.
    HOME=$dir/home "$daprd" --app-id "$app_id" --mode standalone "${app_args[@]}" \
        --dapr-http-port "$http" --dapr-grpc-port "$grpc" --dapr-internal-grpc-port "$igrpc" \
        --metrics-port "$metrics" --dapr-listen-addresses 127.0.0.1 \
        --dapr-internal-grpc-listen-address 127.0.0.1 --metrics-listen-address 127.0.0.1 \
        --resources-path "$dir/resources" --log-level "${DAPRD_LOG_LEVEL:-info}" \
        >"$dir/daprd.log" 2>&1 &
    pid=$!
    local deadline=$((SECONDS + start_timeout))
    until curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$http/v1.0/healthz/outbound" \
        2>/dev/null; do
        if ! kill -0 "$pid" 2>/dev/null; then
            wait "$pid" 2>/dev/null || true
            pid=""
            grep -qE 'could not listen on any endpoint|address already in use' "$dir/daprd.log" &&
                return 1
            log "daprd exited before becoming ready"
            exit 1
        fi
        ((SECONDS < deadline)) || { log "daprd not ready within ${start_timeout}s"; exit 1; }
        sleep 0.2
    done
}

attempt=1
until start_daprd; do
    ((attempt++ < 3)) || { log "daprd lost its ports three times"; exit 1; }
    log "a port daprd was given was taken before it bound it; trying new ports"
done
log "daprd ready (http $http)"

export DAPR_HTTP_PORT=$http DAPR_GRPC_PORT=$grpc
export TODO_TEST_DAPR_HTTP_PORT=$http TODO_TEST_DAPR_PUBSUB=$pubsub
export TODO_TEST_DAPR_LOG=$dir/daprd.log
# The command runs as a child we wait for, so a SIGTERM or SIGINT sent to this script is
# passed on to it (and daprd is stopped once it exited), as a supervisor would do.
set +e
"$@" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null' INT TERM
while kill -0 "$child" 2>/dev/null; do # wait returns early when a signal is trapped
    wait "$child"
done
wait "$child" # bash keeps a reaped child's status
rc=$?
set -e
exit "$rc"
