# Todo - the two commands are `make run` and `make test`; see README.md.
BUILD      ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
JOBS       ?= $(shell nproc)
CMAKE_GEN  := -G Ninja

.PHONY: all deps test-deps build build-asan web run test unit blackbox blackbox-sqlite \
        blackbox-postgres blackbox-asan unit-tsan test-helm test-workflows test-monitoring dashboards test-logging test-events test-dapr test-k8s test-browser test-mcp format format-check bench bench-1m bench-smoke fuzz fuzz-smoke clean

all: build

deps:
	@scripts/bootstrap.sh

test-deps:
	@scripts/bootstrap.sh --test

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Release -DTODO_UNIT_TESTS=OFF

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

$(ASAN_BUILD)/build.ninja:
	cmake -S . -B $(ASAN_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DTODO_SANITIZE=ON

build-asan: test-deps $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD) -j $(JOBS)

# The web UI (web/, Next.js static export) into web/out; a no-op when its sources are unchanged.
web:
	@scripts/build-web.sh

run: build web
	@mkdir -p data
	$(BUILD)/todo serve

# Every test tier: format, unit tests under ASan+UBSan, the thread tests under TSan, a short run of every fuzz target,
# black-box API tests against SQLite and against a throw-away PostgreSQL (with the Release
# build, then the ASan+UBSan build), the benchmark guard (ratios to /healthz), the chart's lint
# and checks, the log shipping parsers (deploy/logging; docs/deploy/logging.md), the
# workflows' checks (actionlint; docs/deploy/ci-cd.md), the monitoring checks
# (promtool, dashboards; docs/deploy/monitoring.md), then the event tier (api and audit processes over a
# real Kafka broker), the Dapr tier (the same through a daprd sidecar each) and the browser
# tier (the web UI in headless Chromium against a real `todo serve`), then the MCP tier (the
# official SDK client over /mcp and `todo mcp`), and last the cluster tier (the image and the
# chart on a real single-node Kubernetes with Dapr, in a network namespace; docs/deploy/test-cluster.md).
test: test-deps format-check unit unit-tsan fuzz-smoke blackbox bench-smoke test-helm test-workflows test-monitoring test-logging test-events test-dapr test-browser test-mcp test-k8s

unit: build-asan
	scripts/with-postgres.sh scripts/with-kafka.sh scripts/with-dapr.sh 0 scripts/run-unit.sh $(ASAN_BUILD) -j $(JOBS)

$(TSAN_BUILD)/build.ninja:
	cmake -S . -B $(TSAN_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DTODO_TSAN=ON

# The unit tests that run threads (TODO_THREAD_TESTS in CMakeLists.txt) under ThreadSanitizer,
# beside a throw-away PostgreSQL; any report fails the run.
unit-tsan: test-deps $(TSAN_BUILD)/build.ninja
	cmake --build $(TSAN_BUILD) -j $(JOBS)
	scripts/with-postgres.sh scripts/run-unit.sh $(TSAN_BUILD)

blackbox: blackbox-sqlite blackbox-postgres blackbox-asan

# The same black-box tests against the ASan+UBSan build, on both backends; any sanitizer
# report fails the run (scripts/test-blackbox.sh --asan).
blackbox-asan: build-asan
	scripts/test-blackbox.sh --asan sqlite
	scripts/test-blackbox.sh --asan postgres

blackbox-sqlite: build
	scripts/test-blackbox.sh sqlite

blackbox-postgres: build
	scripts/test-blackbox.sh postgres

# The Helm chart: helm lint and helm template with every values file, and the checks of the
# rendered manifests (tests/helm/test_chart.py); no cluster needed.
test-helm:
	scripts/test-helm.sh

# The GitHub Actions workflows: actionlint (tools/actionlint) with shellcheck on every workflow,
# the checks that they call Makefile targets and scripts rather than copy them, and
# scripts/smoke.sh (the release's post-deploy check) against a real `todo serve`
# (docs/deploy/ci-cd.md).
test-workflows: build
	scripts/test-workflows.sh

# Monitoring (deploy/monitoring, docs/deploy/monitoring.md): promtool check and test rules,
# runbooks, dashboards regenerated identically, metric names in the catalogue, the scrape
# config; each check shown to fail when broken (tests/monitoring). `make dashboards` rewrites
# the generated dashboards and queries.json after a change to tools/dashboards or the rules.
test-monitoring:
	scripts/test-monitoring.sh

dashboards:
	cd tools/dashboards && go run -mod=readonly . -rules ../../deploy/monitoring/rules -out ../../deploy/monitoring

# deploy/logging's Fluent Bit parsers run on sample and real log lines (tests/logging/)
test-logging: build
	node --test tests/logging/

# `todo api` and `todo audit` as separate processes over a throw-away Kafka broker and
# PostgreSQL; kcat reads the topics back (tests/events/README.md).
test-events: build
	scripts/test-events.sh

# `todo api` and `todo audit` with `--bus dapr`, each beside its own real daprd whose
# pubsub.kafka component uses a throw-away broker; PostgreSQL as above (tests/dapr/README.md).
test-dapr: build
	scripts/test-dapr.sh

# The cluster tier: a single-node Kubernetes in its own network namespace, the Dapr control
# plane and the chart with the local values, then the end-to-end tests (tests/k8s/, ADR 0050);
# always torn down. The image builds the binary itself (deploy/Containerfile).
test-k8s:
	scripts/test-k8s.sh

# The web UI's flows in Debian's Chromium, driven by playwright-core (tests/browser/README.md);
# screenshots land in tests/browser/artifacts/.
test-browser: build web
	scripts/test-browser.sh

# The MCP tier: the official MCP TypeScript SDK client against /mcp of a real `todo serve`
# and against `todo mcp` over stdio, plus the protocol's edges over raw HTTP (tests/mcp/).
test-mcp: build
	scripts/test-mcp.sh

format:
	clang-format -i $$(git ls-files --cached --others --exclude-standard 'src/*.c' 'src/*.h' 'tests/unit/*.c' 'tests/tsan/*.h' 'fuzz/*.c' 'bench/*.c')

format-check:
	clang-format --dry-run -Werror $$(git ls-files 'src/*.c' 'src/*.h' 'tests/unit/*.c' 'tests/tsan/*.h' 'fuzz/*.c' 'bench/*.c')

# The HTTP benchmark at 10,000 tasks (BENCH_SCALE=10k; BENCH_DB=postgres for a throw-away
# PostgreSQL), then the event benchmark (outbox -> bus -> consumer), then completion ->
# successor latency of the recurring role, then the web UI's load and search times in
# Chromium, then the reminder scheduler's firing lateness, then change -> WebSocket push latency
# with 1,000 sockets, then the assistant: the parser alone and the chat round trip
# (docs/benchmarks.md).
bench: build web
	bench/run.sh
	bench/events.sh
	bench/recurring.sh
	bench/web.sh
	bench/reminders.sh
	bench/realtime.sh
	bench/assistant.sh

# The HTTP benchmark at 1,000,000 tasks for one user plus 10,000 users with 100 each.
bench-1m: build web
	BENCH_SCALE=1m bench/run.sh

# The benchmark guard (part of make test): create and list against the same run's /healthz,
# compared with bench/baseline.json; a seeded task must read back through GET.
bench-smoke: build
	bench/smoke.sh

# Every libFuzzer target in fuzz/ for FUZZ_SECONDS (default 30) each.
fuzz: test-deps
	scripts/fuzz.sh

# A short bounded run of every fuzz target (part of make test): the seeds, then 5 s each.
fuzz-smoke: test-deps
	FUZZ_SECONDS=5 scripts/fuzz.sh

# The single-node Kubernetes test cluster, by hand (docs/deploy/test-cluster.md): not part of
# make test. TODO_K8S_NAME picks the cluster (default todo-k8s).
.PHONY: cluster-up cluster-down
cluster-up:
	scripts/k8s/cluster.sh up

cluster-down:
	scripts/k8s/cluster.sh down

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) build-fuzz web/out web/.next
