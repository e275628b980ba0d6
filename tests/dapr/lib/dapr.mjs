// dapr.mjs - what the Dapr test tier needs: a real daprd (built by scripts/daprd.sh) with a
// pubsub.kafka component pointed at the broker of scripts/with-kafka.sh, started with the
// flags scripts/with-dapr.sh uses, one per app; `todo api` / `todo audit` with `--bus dapr`
// beside it; kcat (librdkafka) as the independent reader and writer of the topics.
// Each pair shares an app API token of its own (APP_API_TOKEN in both environments): daprd
// sends it as dapr-api-token on every callback, which the app takes only on its callback
// listener (--dapr-app-listen, the sidecar's --app-port), never on its public one.
//
// Environment (scripts/test-dapr.sh sets it through with-postgres.sh and with-kafka.sh):
//   TODO_BIN                     the binary (default: build/todo under the repo root)
//   DAPRD_BIN                    the daprd to run (default: `scripts/daprd.sh path`)
//   TODO_TEST_POSTGRES_BASE_URL  postgres://user@host:port; a fresh database per run
//   TODO_TEST_PSQL               psql to use (default: psql on PATH)
//   TODO_TEST_KAFKA_BROKERS      127.0.0.1:PORT of the broker
//
// Every child process is tracked: killAll() (also run when the test process exits) sends
// SIGKILL to whatever is still alive, and every temp dir is removed.
import { spawn, execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import assert from 'node:assert/strict';
import { Api, REPO_ROOT, TODO_BIN, freePort, newUser, unique, waitFor } from '../../blackbox/lib/server.mjs';
import { metricSum, parsePrometheus } from '../../blackbox/lib/metrics_catalogue.mjs';

export { Api, REPO_ROOT, TODO_BIN, newUser, unique, waitFor };

const execFileP = promisify(execFile);

export const BROKERS = process.env.TODO_TEST_KAFKA_BROKERS || '';
export const DAPRD_BIN = process.env.DAPRD_BIN ||
    execFileSync(path.join(REPO_ROOT, 'scripts', 'daprd.sh'), ['path'], { encoding: 'utf8' }).trim();

const DAPRD_START_DEADLINE_MS = 60000;
const APP_START_DEADLINE_MS = 30000;
const STOP_DEADLINE_MS = 30000;
const LOG_CAP = 4 << 20;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Fails early, with the reason, when the tier is not run through scripts/test-dapr.sh. */
export function requireEnvironment() {
    const missing = ['TODO_TEST_KAFKA_BROKERS', 'TODO_TEST_POSTGRES_BASE_URL'].filter((k) => !process.env[k]);
    assert.deepEqual(missing, [], `run the Dapr tests with scripts/test-dapr.sh (missing ${missing.join(', ')})`);
}

function childEnv(extra) {
    const env = {};
    for (const [k, v] of Object.entries(process.env)) {
        // nothing of the harness leaks into the children (TODO_*, nor a DAPR_* of an outer sidecar)
        if (!k.startsWith('TODO_') && !k.startsWith('DAPR_')) env[k] = v;
    }
    return { ...env, ...extra };
}

// ------------------------------------------------------------------ process bookkeeping

const live = new Set(); // Child objects whose process may still run
const tempDirs = new Set();

function tempDir(prefix) {
    const d = mkdtempSync(path.join(os.tmpdir(), prefix));
    tempDirs.add(d);
    return d;
}

function removeDir(d) {
    rmSync(d, { recursive: true, force: true });
    tempDirs.delete(d);
}

/** SIGKILL to every child still alive and removal of every temp dir (the safety net). */
export function killAll() {
    for (const c of live) {
        if (c.alive()) c.proc.kill('SIGKILL');
    }
    live.clear();
    for (const d of [...tempDirs]) removeDir(d);
}
process.on('exit', killAll);

/** One spawned process with its output captured (capped) and its exit awaited. */
class Child {
    constructor(name, file, args, opts) {
        this.name = name;
        this.logs = '';
        const tag = `[${name}] `;
        const take = (d) => {
            if (this.logs.length < LOG_CAP) this.logs += d.split('\n').filter(Boolean).map((l) => tag + l).join('\n') + '\n';
        };
        this.exit = null;
        this.proc = spawn(file, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
        this.proc.stdout.setEncoding('utf8');
        this.proc.stderr.setEncoding('utf8');
        this.proc.stdout.on('data', take);
        this.proc.stderr.on('data', take);
        this.exited = new Promise((resolve) => {
            this.proc.on('exit', (code, signal) => { this.exit = { code, signal }; resolve(this.exit); });
            this.proc.on('error', (err) => { this.exit = { code: null, signal: null, err: err.message }; resolve(this.exit); });
        });
        live.add(this);
        this.exited.then(() => live.delete(this));
    }

    alive() { return this.exit === null; }

    tail(n = 6000) { return this.logs.slice(-n); }

    /** SIGTERM, waits (bounded) for the exit and returns {code, signal, ms}. */
    async terminate() {
        if (!this.alive()) return { ...this.exit, ms: 0 };
        const t0 = Date.now();
        this.proc.kill('SIGTERM');
        let timer;
        const res = await Promise.race([this.exited,
            new Promise((r) => { timer = setTimeout(r, STOP_DEADLINE_MS, 'timeout'); })]);
        clearTimeout(timer); // a pending timer would keep the test process alive
        if (res === 'timeout') {
            this.proc.kill('SIGKILL');
            await this.exited;
            assert.fail(`${this.name} did not exit within ${STOP_DEADLINE_MS} ms of SIGTERM:\n${this.tail()}`);
        }
        return { code: res.code, signal: res.signal, ms: Date.now() - t0 };
    }
}

// --------------------------------------------------------------------------------- daprd

async function distinctFreePorts(n, avoid = []) {
    const ports = new Set();
    while (ports.size < n) {
        const p = await freePort();
        if (!avoid.includes(p)) ports.add(p);
    }
    return [...ports];
}

/**
 * A daprd for one app, configured as scripts/with-dapr.sh does it: a pubsub.kafka component
 * named `pubsub` on the test broker with the given consumer group, initialOffset oldest, the
 * inbound retry policy the dead-letter topic needs; HOME in a temp dir.
 */
export class Sidecar {
    /** appToken: the APP_API_TOKEN daprd sends its app (none when null). */
    /** state: {name, connectionString} adds a state.postgresql component (none when null). */
    /** appPort null: no app channel (todo web, which only calls out). */
    /** configuration: a Configuration's spec (YAML text, indented 2) passed as --config. */
    /** invokeTargets: {appId: retryPolicyName} for service invocation (policy "invoke"). */
    /** env: more variables for daprd (DAPR_HOST_IP, DAPR_API_TOKEN). */
    constructor({ appId, appPort, group, pubsub, appToken = null, inboundRetries = 10, state = null,
        configuration = null, invokeTargets = {}, env = {} }) {
        Object.assign(this, { appId, appPort, group, pubsub, appToken, inboundRetries, state, configuration,
            invokeTargets, env });
    }

    /** The resiliency targets of service invocation (empty when none). */
    invokeResiliency() {
        const apps = Object.keys(this.invokeTargets);
        if (!apps.length) return { policy: '', targets: '' };
        return {
            // our api answers 503 only when it did nothing (busy): safe to retry; connection
            // errors are always retried; any other status is the api's answer, not retried
            policy: `
      invoke:
        policy: constant
        duration: 200ms
        maxRetries: 3
        matching:
          httpStatusCodes: "503"`,
            targets: `
    apps:${apps.map((a) => `
      ${a}:
        retry: invoke`).join('')}`,
        };
    }

    writeStateStore() {
        writeFileSync(path.join(this.dir, 'resources', 'statestore.yaml'), `apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: ${this.state.name}
spec:
  type: state.postgresql
  version: v1
  metadata:
  - name: connectionString
    value: "${this.state.connectionString}"
`);
    }

    writeResources() {
        this.dir = tempDir(`todo-dapr-e2e-${this.appId}-`);
        mkdirSync(path.join(this.dir, 'resources'));
        mkdirSync(path.join(this.dir, 'home'));
        writeFileSync(path.join(this.dir, 'resources', 'pubsub.yaml'), `apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: ${this.pubsub}
spec:
  type: pubsub.kafka
  version: v1
  metadata:
  - name: brokers
    value: "${BROKERS}"
  - name: authType
    value: "none"
  - name: consumerGroup
    value: "${this.group}"
  - name: clientID
    value: "${this.appId}-${this.group}"
  - name: initialOffset
    value: "oldest"
`);
        const invoke = this.invokeResiliency();
        writeFileSync(path.join(this.dir, 'resources', 'resiliency.yaml'), `apiVersion: dapr.io/v1alpha1
kind: Resiliency
metadata:
  name: todo-pubsub
spec:
  policies:
    retries:
      pubsubInbound:
        policy: exponential
        maxInterval: 5s
        maxRetries: ${this.inboundRetries}${invoke.policy}
  targets:${invoke.targets}
    components:
      ${this.pubsub}:
        inbound:
          retry: pubsubInbound
`);
        if (this.configuration) {
            writeFileSync(path.join(this.dir, 'config.yaml'), `apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata:
  name: todo-dapr
spec:
${this.configuration}
`);
        }
        if (this.state) this.writeStateStore();
    }

    /** Starts daprd and waits for GET /v1.0/healthz/outbound (components loaded). */
    async start() {
        this.writeResources();
        const deadline = Date.now() + DAPRD_START_DEADLINE_MS;
        for (let attempt = 1; ; attempt++) {
            const [http, grpc, igrpc, metrics] = await distinctFreePorts(4, [this.appPort]);
            Object.assign(this, { httpPort: http, grpcPort: grpc, metricsPort: metrics, url: `http://127.0.0.1:${http}` });
            const args = ['--app-id', this.appId, '--mode', 'standalone',
                ...(this.appPort === null ? [] : ['--app-port', String(this.appPort), '--app-protocol', 'http']),
                ...(this.configuration ? ['--config', path.join(this.dir, 'config.yaml')] : []),
                '--dapr-http-port', String(http), '--dapr-grpc-port', String(grpc),
                '--dapr-internal-grpc-port', String(igrpc), '--metrics-port', String(metrics),
                '--dapr-listen-addresses', '127.0.0.1', '--dapr-internal-grpc-listen-address', '127.0.0.1',
                '--metrics-listen-address', '127.0.0.1',
                '--resources-path', path.join(this.dir, 'resources'), '--log-level', process.env.DAPRD_LOG_LEVEL || 'info'];
            const env = { HOME: path.join(this.dir, 'home'), ...this.env };
            if (this.appToken !== null) env.APP_API_TOKEN = this.appToken;
            this.child = new Child(`daprd ${this.appId}`, DAPRD_BIN, args, { env: childEnv(env) });
            try {
                await this.waitReady(deadline);
                return this;
            } catch (e) {
                // a port taken between the pick and the bind: try others; anything else is final
                const bind = /address already in use|bind:|EADDRINUSE/i.test(this.child.logs);
                if (this.child.alive()) { this.child.proc.kill('SIGKILL'); await this.child.exited; }
                if (!bind || Date.now() > deadline || attempt >= 3) throw e;
            }
        }
    }

    async waitReady(deadline) {
        for (;;) {
            if (!this.child.alive()) {
                throw new Error(`${this.child.name} exited before becoming ready (${JSON.stringify(this.child.exit)}):\n${this.child.tail()}`);
            }
            try {
                const r = await fetch(`${this.url}/v1.0/healthz/outbound`, { signal: AbortSignal.timeout(2000) });
                await r.arrayBuffer();
                if (r.status >= 200 && r.status < 300) return;
            } catch { /* not listening yet */ }
            if (Date.now() > deadline) {
                throw new Error(`${this.child.name} not ready within ${DAPRD_START_DEADLINE_MS} ms:\n${this.child.tail()}`);
            }
            await sleep(100);
        }
    }

    /** daprd's own Prometheus text (its --metrics-port). */
    async daprMetrics() {
        const r = await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`, { signal: AbortSignal.timeout(5000) });
        assert.equal(r.status, 200, `${this.child.name} /metrics`);
        return r.text();
    }

    /** GET /v1.0/metadata of the sidecar. */
    async metadata() {
        const r = await fetch(`${this.url}/v1.0/metadata`, { signal: AbortSignal.timeout(5000) });
        assert.equal(r.status, 200, `${this.child.name} /v1.0/metadata`);
        return r.json();
    }

    /**
     * POST /v1.0/publish/<pubsub>/<topic> through this sidecar. body is a string sent as is;
     * metadata becomes metadata.<k>=<v> query parameters (rawPayload, partitionKey, ...).
     */
    async publish(topic, body, { contentType = 'application/json', metadata = {}, headers = {} } = {}) {
        const q = new URLSearchParams(Object.entries(metadata).map(([k, v]) => [`metadata.${k}`, String(v)]));
        const r = await fetch(`${this.url}/v1.0/publish/${encodeURIComponent(this.pubsub)}/${encodeURIComponent(topic)}?${q}`,
            { method: 'POST', headers: { 'content-type': contentType, ...headers }, body, signal: AbortSignal.timeout(10000) });
        return { status: r.status, text: await r.text() };
    }

    tail(n) { return this.child ? this.child.tail(n) : ''; }
}

// ------------------------------------------------------------------------------ todo app

/**
 * `todo <role> --bus dapr`, told its sidecar's port the way daprd's apps are: DAPR_HTTP_PORT.
 * `port` is the public listener, `callbackPort` the one the sidecar calls (its --app-port);
 * appToken the APP_API_TOKEN (none when null), extraEnv anything else (the opt-out).
 */
export class TodoApp {
    constructor(role, { port, callbackPort, databaseUrl, secret, dataDir, sidecar, appToken = null, extraEnv = {} }) {
        Object.assign(this, { role, port, callbackPort, databaseUrl, secret, dataDir, sidecar, appToken, extraEnv });
        this.url = `http://127.0.0.1:${port}`;
        this.callbackUrl = `http://127.0.0.1:${callbackPort}`;
        this.client = new Api(this.url);
        this.callbacks = new Api(this.callbackUrl);
    }

    /** The headers daprd sends on a callback: dapr-api-token when the pair has a token. */
    sidecarHeaders(extra = {}) {
        return this.appToken === null ? { ...extra } : { 'dapr-api-token': this.appToken, ...extra };
    }

    async start() {
        // databaseUrl or secret null: not given (TODO_DAPR_SECRETS gives them)
        // callbackPort null: no callback listener (todo web)
        const args = [this.role, '--listen', `127.0.0.1:${this.port}`,
            ...(this.databaseUrl === null ? [] : ['--database', this.databaseUrl]),
            '--data-dir', this.dataDir, '--bus', 'dapr',
            ...(this.callbackPort === null ? [] : ['--dapr-app-listen', `127.0.0.1:${this.callbackPort}`])];
        const env = {
            ...(this.secret === null ? {} : { TODO_JWT_SECRET: this.secret }),
            TODO_ACCESS_LOG: '0',
            DAPR_HTTP_PORT: String(this.sidecar.httpPort),
            TODO_DAPR_PUBSUB: this.sidecar.pubsub,
            ...this.extraEnv,
        };
        if (this.appToken !== null) env.APP_API_TOKEN = this.appToken;
        this.child = new Child(`todo ${this.role}`, TODO_BIN, args, { env: childEnv(env) });
        const deadline = Date.now() + APP_START_DEADLINE_MS;
        for (const url of this.callbackPort === null ? [this.url] : [this.url, this.callbackUrl]) {
            for (;;) {
                if (!this.child.alive()) {
                    throw new Error(`todo ${this.role} exited before answering /healthz (${JSON.stringify(this.child.exit)}):\n${this.child.tail()}`);
                }
                try {
                    const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
                    await r.arrayBuffer();
                    if (r.status === 200) break;
                } catch { /* not listening yet */ }
                if (Date.now() > deadline) {
                    throw new Error(`todo ${this.role} did not answer ${url}/healthz within ${APP_START_DEADLINE_MS} ms:\n${this.child.tail()}`);
                }
                await sleep(50);
            }
        }
        return this;
    }

    tail(n) { return this.child ? this.child.tail(n) : ''; }

    async metrics() {
        const r = await fetch(`${this.url}/metrics`, { signal: AbortSignal.timeout(5000) });
        assert.equal(r.status, 200, `todo ${this.role} /metrics`);
        return r.text();
    }

    /**
     * The sum of the metric's lines whose labels include every label of `labels` (an object),
     * or undefined when there is no such line.
     */
    async metricSum(name, labels = {}) {
        return metricSum(parsePrometheus(await this.metrics()).samples, name, labels) ?? undefined;
    }

    /** The value of one metric line (name with its labels, exactly), or undefined. */
    async metric(nameWithLabels) {
        const text = await this.metrics();
        const esc = nameWithLabels.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        const m = text.match(new RegExp(`^${esc} (\\S+)$`, 'm'));
        return m ? Number(m[1]) : undefined;
    }
}

/**
 * One app with its own sidecar: daprd first (its app port picked beforehand), then the app,
 * as scripts/with-dapr.sh orders them. Returns {sidecar, app, tail(), stop()}; stop() ends
 * the app first (an api publishes what its outbox still holds through the sidecar), then
 * daprd, both with SIGTERM, and returns their exits. appToken: the APP_API_TOKEN both get (a
 * fresh one by default; null: none, which the app refuses unless extraEnv has the opt-out).
 */
export async function startPair(role, { appId, group, pubsub, databaseUrl, secret, appToken = newAppToken(), extraEnv = {}, state = null }) {
    const [port, callbackPort] = await distinctFreePorts(2);
    const sidecar = new Sidecar({ appId, appPort: callbackPort, group, pubsub, appToken, state });
    const dataDir = tempDir(`todo-dapr-e2e-${role}-data-`);
    const app = new TodoApp(role, { port, callbackPort, databaseUrl, secret, dataDir, sidecar, appToken, extraEnv });
    const pair = {
        role, sidecar, app,
        tail: (n = 6000) => `${app.tail(n)}\n${sidecar.tail(n)}`,
        async stop() {
            const exits = {};
            try {
                if (app.child) exits.app = await app.child.terminate();
            } finally {
                try {
                    if (sidecar.child) exits.sidecar = await sidecar.child.terminate();
                } finally {
                    if (sidecar.dir) removeDir(sidecar.dir);
                    removeDir(dataDir);
                }
            }
            return exits;
        },
    };
    await sidecar.start();
    await app.start();
    return pair;
}

// ------------------------------------------------------------------------------ database

const psql = () => process.env.TODO_TEST_PSQL || 'psql';
const pgBase = () => (process.env.TODO_TEST_POSTGRES_BASE_URL || '').replace(/\/$/, '');

/** A fresh PostgreSQL database, migrated with `todo migrate`. */
export async function freshDatabase(secret) {
    const name = unique('dapr_').toLowerCase();
    await execFileP(psql(), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', `${pgBase()}/postgres`,
        '-c', `CREATE DATABASE ${name}`]);
    const url = `${pgBase()}/${name}`;
    const mig = await execFileP(TODO_BIN, ['migrate', '--database', url],
        { env: childEnv({ TODO_JWT_SECRET: secret }) }).catch((e) => e);
    assert.ok(!(mig instanceof Error), `todo migrate failed: ${mig.stderr || mig.message}`);
    return url;
}

export async function dropDatabase(url) {
    const name = new URL(url).pathname.slice(1);
    assert.match(name, /^[a-z0-9_]+$/);
    await execFileP(psql(), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', `${pgBase()}/postgres`,
        '-c', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]);
}

export const newSecret = () => `dapr-secret-${randomBytes(16).toString('hex')}`;
/** An app API token as the Dapr docs suggest making one: random bytes in base64. */
export const newAppToken = () => randomBytes(32).toString('base64');

// --------------------------------------------------------------------------------- kcat

/**
 * Every message of topic from the beginning, read by kcat (not through Dapr):
 * [{topic, partition, offset, key, payload (text), json (parsed or null)}].
 */
export async function readTopic(topic) {
    const { stdout } = await execFileP('kcat', ['-C', '-b', BROKERS, '-t', topic, '-o', 'beginning', '-e', '-q', '-J'],
        { timeout: 30000, maxBuffer: 256 << 20 });
    const out = [];
    for (const line of stdout.split('\n')) {
        if (!line.trim()) continue;
        const m = JSON.parse(line);
        let json = null;
        try { json = JSON.parse(m.payload); } catch { /* not JSON: left null */ }
        out.push({ topic: m.topic, partition: m.partition, offset: m.offset, key: m.key, payload: m.payload, json });
    }
    return out;
}

/** Polls readTopic until pick(messages) returns something truthy; returns that. */
export async function waitForTopic(topic, pick, { deadlineMs = 30000, what = `a message on ${topic}` } = {}) {
    let last = [];
    try {
        return await waitFor(async () => {
            last = await readTopic(topic);
            return pick(last);
        }, { deadlineMs, intervalMs: 200, what });
    } catch (e) {
        e.message += ` (last read: ${last.length} messages on ${topic})`;
        throw e;
    }
}

export { sleep };
