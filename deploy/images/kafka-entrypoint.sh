#!/bin/sh
# kafka-entrypoint - runs the single-node KRaft broker of deploy/images/kafka.Containerfile, or
# creates topics on one (docs/deploy/images.md).
#
#   kafka-entrypoint broker        (the default) writes the broker's configuration from the
#                                  environment, formats the storage on the first start and runs
#                                  the broker in the foreground (SIGTERM: controlled shutdown)
#   kafka-entrypoint topics BOOTSTRAP NAME:PARTITIONS[:REPLICAS]...
#                                  creates each topic unless it exists, retrying while the
#                                  broker is not up yet (deadline KAFKA_TOPICS_TIMEOUT, 120 s)
#   kafka-entrypoint CMD ARGS...   runs CMD (java -cp "$KAFKA_HOME/libs/*" ... for Kafka's tools)
#
# Broker environment: KAFKA_NODE_ID (1), KAFKA_ADVERTISED_HOST (the host name; set it to the
# Service's name), KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093, loopback only),
# KAFKA_CLUSTER_ID (default: made on the first start and kept in the data directory),
# KAFKA_DATA_DIR (/var/lib/kafka: configuration, cluster id and, under data/, the log),
# KAFKA_HEAP_OPTS (-Xmx512m -Xms256m), KAFKA_CFG_<NAME>=VALUE for any broker setting
# (KAFKA_CFG_LOG_RETENTION_HOURS=24 -> log.retention.hours=24). auto.create.topics.enable is
# false unless KAFKA_CFG_AUTO_CREATE_TOPICS_ENABLE says otherwise. KAFKA_JMX_EXPORTER_PORT:
# when set, the broker loads the Prometheus JMX exporter agent (/opt/jmx-exporter) serving
# /metrics on that port (docs/deploy/monitoring.md).
set -eu

home=${KAFKA_HOME:-/opt/kafka}
# C1 only: starts faster on a busy node; no hsperfdata file (the root file system is read-only)
jvm_opts="-XX:TieredStopAtLevel=1 -XX:-UsePerfData -Djava.awt.headless=true"

die() { echo "kafka-entrypoint: $*" >&2; exit 1; }
log() { echo "kafka-entrypoint: $*" >&2; }

# java with the broker's classpath, for short-lived tools (warnings only, on stderr)
tool() {
    # shellcheck disable=SC2086
    java -Xmx256m -XX:+UseSerialGC $jvm_opts \
        -Dlog4j.configuration="file:$home/config/tools-log4j.properties" -cp "$home/libs/*" "$@"
}

# Kafka's Uuid text form: 16 random bytes, URL-safe base64 without padding, not starting with -
new_cluster_id() {
    id=-
    while [ "${id#-}" != "$id" ]; do
        id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
    done
    echo "$id"
}

check_port() {
    case $2 in
        '' | *[!0-9]*) die "$1 is not a port number: $2" ;;
    esac
    [ "$2" -ge 1 ] && [ "$2" -le 65535 ] || die "$1 is not a port number: $2"
}

write_config() {
    cat <<EOF
# Written by kafka-entrypoint on every start, from the environment.
process.roles=broker,controller
node.id=$node
controller.quorum.voters=$node@127.0.0.1:$cport
listeners=PLAINTEXT://0.0.0.0:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://$host:$port
log.dirs=$data/data
EOF
    cat /opt/kafka/config/single-node.properties
    # KAFKA_CFG_<NAME>: later lines win when Kafka reads the file
    env | sed -n 's/^KAFKA_CFG_\([A-Z0-9_]*\)=\(.*\)$/\1 \2/p' | while read -r name value; do
        printf '%s=%s\n' "$(echo "$name" | tr 'A-Z_' 'a-z.')" "$value"
    done
}

broker() {
    node=${KAFKA_NODE_ID:-1}
    host=${KAFKA_ADVERTISED_HOST:-$(cat /proc/sys/kernel/hostname)}
    port=${KAFKA_PORT:-9092}
    cport=${KAFKA_CONTROLLER_PORT:-9093}
    data=${KAFKA_DATA_DIR:-/var/lib/kafka}
    case $node in '' | *[!0-9]*) die "KAFKA_NODE_ID is not a number: $node" ;; esac
    check_port KAFKA_PORT "$port"
    check_port KAFKA_CONTROLLER_PORT "$cport"
    [ -d "$data" ] && [ -w "$data" ] || die "$data is not a writable directory (mount a volume)"
    mkdir -p "$data/data"
    if [ -n "${KAFKA_CLUSTER_ID:-}" ]; then
        cluster_id=$KAFKA_CLUSTER_ID
    else
        [ -s "$data/cluster.id" ] || new_cluster_id >"$data/cluster.id"
        cluster_id=$(cat "$data/cluster.id")
    fi
    write_config >"$data/server.properties"
    tool kafka.tools.StorageTool format --ignore-formatted -t "$cluster_id" \
        -c "$data/server.properties" >&2 || die "formatting $data/data failed"
    log "starting broker $node, advertised as $host:$port"
    agent=
    if [ -n "${KAFKA_JMX_EXPORTER_PORT:-}" ]; then
        case $KAFKA_JMX_EXPORTER_PORT in
            *[!0-9]*) die "KAFKA_JMX_EXPORTER_PORT is not a port: $KAFKA_JMX_EXPORTER_PORT" ;;
        esac
        jmx=/opt/jmx-exporter
        agent="-javaagent:$jmx/jmx_prometheus_javaagent.jar"
        agent="$agent=$KAFKA_JMX_EXPORTER_PORT:$jmx/kafka-jmx.yaml"
        log "metrics for Prometheus on :$KAFKA_JMX_EXPORTER_PORT/metrics (JMX exporter agent)"
    fi
    # shellcheck disable=SC2086
    exec java ${KAFKA_HEAP_OPTS:--Xmx512m -Xms256m} -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
        $jvm_opts $agent \
        -Dlog4j.configuration="file:$home/config/log4j.properties" \
        -cp "$home/libs/*" kafka.Kafka "$data/server.properties"
}

topics() {
    [ $# -ge 2 ] || die "usage: kafka-entrypoint topics BOOTSTRAP NAME:PARTITIONS[:REPLICAS]..."
    bootstrap=$1
    shift
    deadline=$(($(date +%s) + ${KAFKA_TOPICS_TIMEOUT:-120}))
    for spec in "$@"; do
        name=${spec%%:*} rest=${spec#*:}
        parts=${rest%%:*} replicas=1
        [ "$rest" != "$parts" ] && replicas=${rest#*:}
        case $name$parts$replicas in *[!A-Za-z0-9._-]*) die "bad topic spec: $spec" ;; esac
        [ -n "$name" ] && [ "$spec" != "$name" ] || die "bad topic spec: $spec (NAME:PARTITIONS)"
        until tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$bootstrap" \
                --create --if-not-exists --topic "$name" --partitions "$parts" \
                --replication-factor "$replicas" >/dev/null; do
            [ "$(date +%s)" -lt "$deadline" ] || die "could not create topic $name on $bootstrap"
            log "broker $bootstrap not ready, retrying topic $name"
            sleep 2
        done
        log "topic $name ($parts partitions) ready"
    done
}

case ${1:-broker} in
    broker) broker ;;
    topics) shift; topics "$@" ;;
    *) exec "$@" ;;
esac
