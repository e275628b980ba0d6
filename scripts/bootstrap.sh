#!/usr/bin/env bash
# bootstrap.sh - installs what building, running and testing Todo need, from Debian's
# packages. A fast no-op when everything is there. Usage: scripts/bootstrap.sh [--test|--k8s]
# (--test adds what the test tiers need: PostgreSQL server, Criterion, clang-format, wrk,
# kcat and Java/Maven for the Kafka test broker, and the --k8s set; --k8s adds only what the
# Kubernetes test cluster needs, docs/deploy/test-cluster.md; Go itself comes from go.dev).
set -euo pipefail

pkgs=(build-essential cmake ninja-build pkg-config
      libmicrohttpd-dev libjansson-dev libsqlite3-dev libpq-dev libical-dev tzdata libwslay-dev
      libsodium-dev libjwt-dev libcurl4-openssl-dev librdkafka-dev nodejs)
if [[ "${1:-}" == "--test" ]]; then
    pkgs+=(libcriterion-dev postgresql clang-format wrk curl)
    # the fuzz targets (scripts/fuzz.sh): clang with libFuzzer's runtime
    pkgs+=(clang libclang-rt-14-dev)
    # the Kafka test broker (scripts/kafka.sh): kcat, and Java + Maven to fetch
    # and run the broker (the JDK, not only the JRE: its topic step compiles on the fly)
    pkgs+=(kcat maven openjdk-17-jdk-headless)
    # the workflows' checks (scripts/test-workflows.sh): shellcheck, which actionlint runs on
    # every `run:` script
    pkgs+=(shellcheck)
    # the browser tier (scripts/test-browser.sh): Debian's Chromium, driven by playwright-core
    pkgs+=(chromium fonts-dejavu-core)
    # the Helm chart's checks (scripts/test-helm.sh): PyYAML
    pkgs+=(python3-yaml)
    # the monitoring checks (scripts/test-monitoring.sh): promtool
    pkgs+=(prometheus)
fi
if [[ "${1:-}" == "--test" || "${1:-}" == "--k8s" ]]; then
    # the Kubernetes test cluster (scripts/k8s/cluster.sh): runtime, etcd, CNI, image building
    pkgs+=(containerd runc buildah mmdebstrap etcd-server etcd-client containernetworking-plugins
           iptables conntrack busybox-static openssl iproute2 util-linux curl)
fi

missing=()
for p in "${pkgs[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
# nodejs may come from elsewhere than Debian's package; a working node is enough.
if [[ " ${missing[*]-} " == *" nodejs "* ]] && command -v node >/dev/null 2>&1; then
    missing=("${missing[@]/nodejs/}")
fi
missing=($(printf '%s\n' "${missing[@]-}" | grep -v '^$' || true))

if ((${#missing[@]})); then
    echo "bootstrap: installing ${missing[*]}"
    sudo_cmd=()
    [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
    export DEBIAN_FRONTEND=noninteractive
    "${sudo_cmd[@]}" apt-get update -qq
    "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The SMTP server of the notification tests (scripts/mailpit.sh: Mailpit from the Go module
# proxy, cached under TODO_CACHE like daprd); a no-op when it is built.
if [[ "${1:-}" == "--test" ]]; then
    "$(dirname "$0")/mailpit.sh" build
fi
