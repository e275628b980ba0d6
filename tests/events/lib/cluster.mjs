// cluster.mjs - what every event test file needs: the real `todo api` and `todo audit` as two
// separate processes on free loopback ports, sharing one fresh PostgreSQL database, one
// TODO_JWT_SECRET and the Kafka broker of scripts/with-kafka.sh; kcat (librdkafka) as the
// independent reader of the topics; the JSON Schemas of docs/events/ compiled with Ajv.
//
// Environment (scripts/test-events.sh sets it through with-postgres.sh and with-kafka.sh):
//   TODO_BIN                     the binary (default: build/todo under the repo root)
//   TODO_TEST_POSTGRES_BASE_URL  postgres://user@host:port; a fresh database per cluster
//   TODO_TEST_PSQL               psql to use (default: psql on PATH)
//   TODO_TEST_KAFKA_BROKERS      127.0.0.1:PORT of the broker
//   TODO_TEST_KAFKA_DIR          the broker's folder, for scripts/kafka.sh stop/start
//
// The files share the broker, its topics and the audit consumer group, so the runner runs
// them one at a time (--test-concurrency=1). Every test picks out its own events by the
// Kafka key: user ids are UUIDv7, unique across databases and runs.
import { spawn, execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import assert from 'node:assert/strict';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { Api, REPO_ROOT, TODO_BIN, freePort, newUser, unique, waitFor } from '../../blackbox/lib/server.mjs';

export { Api, REPO_ROOT, TODO_BIN, newUser, unique, waitFor };

const execFileP = promisify(execFile);

export const BROKERS = process.env.TODO_TEST_KAFKA_BROKERS || '';
export const KAFKA_DIR = process.env.TODO_TEST_KAFKA_DIR || '';
const KAFKA_SH = path.join(REPO_ROOT, 'scripts', 'kafka.sh');

const START_DEADLINE_MS = 30000;
const STOP_DEADLINE_MS = 30000;

/** Fails early, with the reason, when the tier is not run through scripts/test-events.sh. */
export function requireEnvironment() {
    const missing = ['TODO_TEST_KAFKA_BROKERS', 'TODO_TEST_KAFKA_DIR', 'TODO_TEST_POSTGRES_BASE_URL']
        .filter((k) => !process.env[k]);
    assert.deepEqual(missing, [], `run the event tests with scripts/test-events.sh (missing ${missing.join(', ')})`);
}

function childEnv(extra) {
    const env = {};
    for (const [k, v] of Object.entries(process.env)) {
        if (!k.startsWith('TODO_')) env[k] = v; // nothing of the harness leaks into the server
    }
    return { ...env, ...extra };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------------------------ database

const psql = () => process.env.TODO_TEST_PSQL || 'psql';
const pgBase = () => (process.env.TODO_TEST_POSTGRES_BASE_URL || '').replace(/\/$/, '');

export async function freshDatabase() {
    const name = unique('ev_').toLowerCase();
    await execFileP(psql(), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', `${pgBase()}/postgres`,
        '-c', `CREATE DATABASE ${name}`]);
    return `${pgBase()}/${name}`;
}

export async function dropDatabase(url) {
    const name = new URL(url).pathname.slice(1);
    assert.match(name, /^[a-z0-9_]+$/);
    await execFileP(psql(), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', `${pgBase()}/postgres`,
        '-c', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]);
}

// ----------------------------------------------------------------------------- processes

/**
 * One `todo api`, `todo audit`, `todo recurring` or `todo realtime` process over the Kafka
 * bus (instance: the --instance-id prefix, for replicas of one role). restart()
 * starts a new one on the same port, database and secret (a killed api comes back at the
 * address clients use).
 */
export class Role {
    constructor(role, { databaseUrl, secret, dataDir, port, env = {}, instance = role }) {
        Object.assign(this, { role, databaseUrl, secret, dataDir, port, env, instance });
        this.url = `http://127.0.0.1:${port}`;
        this.incarnation = 0;
        this.logs = ''; // every incarnation's stderr and stdout, capped
    }

    async start() {
        const deadline = Date.now() + START_DEADLINE_MS;
        for (let attempt = 1; ; attempt++) {
            try {
                await this.launch(deadline);
                return this;
            } catch (e) {
                // the port of a just-killed process can take a moment to be bindable again;
                // any other failure is final
                const bind = /address already in use|cannot (bind|listen)|EADDRINUSE/i.test(e.message);
                if (!bind || Date.now() > deadline || attempt >= 10) throw e;
                await sleep(300);
            }
        }
    }

    async launch(deadline) {
        this.incarnation += 1;
        const tag = `[${this.role}#${this.incarnation}] `;
        const proc = spawn(TODO_BIN, [this.role, '--listen', `127.0.0.1:${this.port}`,
            '--database', this.databaseUrl, '--data-dir', this.dataDir,
            '--bus', 'kafka', '--kafka-brokers', BROKERS, '--instance-id', `${this.instance}-${this.incarnation}`],
        { env: childEnv({ TODO_JWT_SECRET: this.secret, TODO_ACCESS_LOG: '0', ...this.env }),
            stdio: ['ignore', 'pipe', 'pipe'] });
        const cap = 4 << 20;
        const take = (d) => {
            if (this.logs.length < cap) this.logs += d.split('\n').filter(Boolean).map((l) => tag + l).join('\n') + '\n';
        };
        proc.stdout.setEncoding('utf8');
        proc.stderr.setEncoding('utf8');
        proc.stdout.on('data', take);
        proc.stderr.on('data', take);
        let exit = null;
        const exited = new Promise((resolve) => {
            proc.on('exit', (code, signal) => { exit = { code, signal }; resolve(exit); });
            proc.on('error', (err) => { exit = { code: null, signal: null, err }; resolve(exit); });
        });
        this.proc = proc;
        this.exited = exited;
        this.terminated = false;
        for (;;) {
            if (exit) {
                throw new Error(`todo ${this.role} exited before answering /healthz (${JSON.stringify(exit)}):\n${this.tail()}`);
            }
            try {
                const r = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(1000) });
                await r.arrayBuffer();
                if (r.status === 200) return;
            } catch { /* not listening yet */ }
            if (Date.now() > deadline) {
                proc.kill('SIGKILL');
                await exited;
                throw new Error(`todo ${this.role} did not answer /healthz within ${START_DEADLINE_MS} ms:\n${this.tail()}`);
            }
            await sleep(50);
        }
    }

    get pid() { return this.proc?.pid; }

    alive() { return this.proc && this.proc.exitCode === null && this.proc.signalCode === null; }

    /** SIGKILL: the process gets no chance to finish anything. Resolves once it is gone. */
    async kill9() {
        if (this.alive()) this.proc.kill('SIGKILL');
        return this.exited;
    }

    /** SIGTERM, waits for the exit and asserts it was 0 (the graceful path). */
    async stop() {
        if (!this.proc) return;
        if (!this.alive()) { await this.exited; return; }
        this.terminated = true;
        this.proc.kill('SIGTERM');
        let timer;
        const res = await Promise.race([this.exited,
            new Promise((r) => { timer = setTimeout(r, STOP_DEADLINE_MS, 'timeout'); })]);
        clearTimeout(timer); // a pending timer would keep the file's process alive
        if (res === 'timeout') {
            this.proc.kill('SIGKILL');
            await this.exited;
            assert.fail(`todo ${this.role} did not exit within ${STOP_DEADLINE_MS} ms of SIGTERM:\n${this.tail()}`);
        }
        assert.deepEqual({ code: res.code, signal: res.signal }, { code: 0, signal: null },
            `todo ${this.role} should exit 0 on SIGTERM:\n${this.tail()}`);
    }

    async restart() {
        if (this.alive()) await this.stop();
        return this.start();
    }

    tail(n = 6000) { return this.logs.slice(-n); }

    /** GET /metrics as text. */
    async metrics() {
        const r = await fetch(`${this.url}/metrics`, { signal: AbortSignal.timeout(5000) });
        assert.equal(r.status, 200, `${this.role} /metrics`);
        return r.text();
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
 * A fresh database (migrated once with `todo migrate`), then `todo api` and `todo audit` on
 * their own ports. Returns {databaseUrl, secret, api, audit, client (Api on the api), stop()}.
 * With recurring, notify or realtime: true, that role runs too as a process of its own
 * (cluster.recurring, cluster.notify, cluster.realtime), in that order after the audit one.
 * stop() ends them all (SIGTERM, exit 0; the optional roles first, the last started first),
 * drops the database and removes the data dir.
 */
export async function startCluster({ env = {}, recurring = false, notify = false, realtime = false } = {}) {
    requireEnvironment();
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'todo-ev-'));
    const databaseUrl = await freshDatabase();
    const secret = `ev-secret-${randomBytes(16).toString('hex')}`;
    const mig = await execFileP(TODO_BIN, ['migrate', '--database', databaseUrl, '--data-dir', dataDir],
        { env: childEnv({ TODO_JWT_SECRET: secret }) }).catch((e) => e);
    assert.ok(!(mig instanceof Error), `todo migrate failed: ${mig.stderr || mig.message}`);
    const common = { databaseUrl, secret, dataDir, env };
    const role = async (name, on = true) => (on ? new Role(name, { ...common, port: await freePort() }) : undefined);
    const api = await role('api');
    const audit = await role('audit');
    const optional = { recurring: await role('recurring', recurring), notify: await role('notify', notify),
        realtime: await role('realtime', realtime) };
    const extra = Object.values(optional).filter(Boolean);
    const roles = [api, audit, ...extra];
    const stopOrder = [...[...extra].reverse(), api, audit];
    const cluster = {
        databaseUrl, secret, dataDir, api, audit, ...optional,
        client: new Api(api.url),
        logs: () => roles.map((r) => r.tail(8000)).join('\n'),
        async stop() {
            const errors = [];
            for (const r of stopOrder) {
                try { await r.stop(); } catch (e) { errors.push(e); }
            }
            await dropDatabase(databaseUrl).catch(() => {});
            rmSync(dataDir, { recursive: true, force: true });
            if (errors.length) throw errors[0];
        },
    };
    try {
        for (const r of roles) await r.start();
        // ready: the database answers and the api reaches the broker
        await waitFor(async () => (await fetch(`${api.url}/readyz`)).status === 200,
            { deadlineMs: 20000, intervalMs: 100, what: 'the api to be ready' });
    } catch (e) {
        for (const r of roles) await r.kill9().catch(() => {});
        await dropDatabase(databaseUrl).catch(() => {});
        rmSync(dataDir, { recursive: true, force: true });
        throw e;
    }
    return cluster;
}

// ------------------------------------------------------------------------------- broker

/** scripts/kafka.sh stop|start on the broker of with-kafka.sh (start reuses its port). */
export async function kafka(cmd) {
    assert.ok(['stop', 'start'].includes(cmd));
    const r = await execFileP(KAFKA_SH, [cmd, KAFKA_DIR], { timeout: 120000 }).catch((e) => e);
    assert.ok(!(r instanceof Error), `kafka.sh ${cmd} failed: ${r.stderr || r.message}`);
    if (cmd === 'start') {
        assert.equal(r.stdout.trim(), `KAFKA_BROKERS=${BROKERS}`, 'the broker comes back at the same address');
    }
    return r;
}

/** True when the broker answers a metadata request through librdkafka. */
export async function brokerUp() {
    try {
        const { stdout } = await execFileP('kcat', ['-b', BROKERS, '-L', '-m', '3'], { timeout: 10000 });
        return /^\s*1 brokers:/m.test(stdout);
    } catch {
        return false;
    }
}

// --------------------------------------------------------------------------------- kcat

/**
 * Every message of topic from the beginning, read by kcat (independent of the server's
 * client code): [{topic, partition, offset, key, payload (text), event (parsed or null)}].
 */
export async function readTopic(topic) {
    const { stdout } = await execFileP('kcat', ['-C', '-b', BROKERS, '-t', topic, '-o', 'beginning', '-e', '-q', '-J'],
        { timeout: 60000, maxBuffer: 512 << 20 });
    const out = [];
    for (const line of stdout.split('\n')) {
        if (!line.trim()) continue;
        const m = JSON.parse(line);
        let event = null;
        try { event = JSON.parse(m.payload); } catch { /* left null: asserted by the tests */ }
        out.push({ topic: m.topic, partition: m.partition, offset: m.offset, key: m.key, payload: m.payload, event });
    }
    return out;
}

/** readTopic filtered to the given keys (user ids), in (partition, offset) order. */
export async function readKeys(topic, keys) {
    const set = new Set(keys);
    return (await readTopic(topic)).filter((m) => set.has(m.key))
        .sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

/** Polls readKeys until done(messages) is truthy; returns the messages. */
export async function waitForMessages(topic, keys, done, { deadlineMs = 30000, what = `${topic} messages` } = {}) {
    let last = [];
    try {
        return await waitFor(async () => {
            last = await readKeys(topic, keys);
            return done(last) ? last : false;
        }, { deadlineMs, intervalMs: 250, what });
    } catch (e) {
        e.message += ` (last read: ${last.length} messages)`;
        throw e;
    }
}

/** Messages of one key in the order its partition holds them; asserts one partition. */
export function perKey(messages, key) {
    const mine = messages.filter((m) => m.key === key);
    const parts = new Set(mine.map((m) => m.partition));
    assert.ok(parts.size <= 1, `all events of user ${key} are on one partition, got ${[...parts]}`);
    return mine.sort((a, b) => a.offset - b.offset);
}

/** The first occurrence of each CloudEvent id, in order (a redelivered duplicate removed). */
export function firstOccurrences(messages) {
    const seen = new Set();
    return messages.filter((m) => {
        const id = m.event?.id;
        if (seen.has(id)) return false;
        seen.add(id);
        return true;
    });
}

// ------------------------------------------------------------------------------ schemas

let validators;
/** {type: validate} for every docs/events/*.schema.json, compiled by Ajv (2020-12, formats). */
export function schemaValidators() {
    if (validators) return validators;
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats(ajv);
    validators = {};
    const dir = path.join(REPO_ROOT, 'docs', 'events');
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.schema.json'))) {
        const schema = JSON.parse(readFileSync(path.join(dir, f), 'utf8'));
        validators[f.replace(/\.schema\.json$/, '')] = ajv.compile(schema);
    }
    return validators;
}

/** Asserts the CloudEvent validates against the schema of its type. */
export function assertValid(event, where = '') {
    const v = schemaValidators();
    const validate = v[event?.type];
    assert.ok(validate, `a schema in docs/events/ for type ${event?.type} ${where}`);
    if (!validate(event)) {
        assert.fail(`${event.type} ${event.id} ${where} does not match its schema:\n` +
            `${JSON.stringify(validate.errors, null, 1).slice(0, 3000)}\nevent: ${JSON.stringify(event).slice(0, 2000)}`);
    }
}

// ------------------------------------------------------------------------------ tracing

/** A fresh W3C traceparent {header, traceId}. */
export function newTrace() {
    const traceId = randomBytes(16).toString('hex');
    const spanId = randomBytes(8).toString('hex');
    return { header: `00-${traceId}-${spanId}-01`, traceId };
}

export const traceIdOf = (traceparent) => String(traceparent || '').split('-')[1];

// ------------------------------------------------------------------------------ history

/** GET the task's history through the api; {status, items}. */
export async function history(client, user, taskId) {
    const r = await client.get(`/api/${encodeURIComponent(user.id)}/tasks/${taskId}/history`, { token: user.token });
    return { status: r.status, items: r.status === 200 ? r.json.items : undefined, text: r.text };
}

/** Polls the history until it has at least n entries; returns them (newest first). */
export async function historyAtLeast(client, user, taskId, n, { deadlineMs = 30000 } = {}) {
    let last;
    try {
        return await waitFor(async () => {
            last = await history(client, user, taskId);
            return last.status === 200 && last.items.length >= n ? last.items : false;
        }, { deadlineMs, intervalMs: 100, what: `${n} history entries for task ${taskId}` });
    } catch (e) {
        e.message += ` (last: ${last?.status} ${last?.items ? last.items.map((i) => i.type).join(',') : last?.text})`;
        throw e;
    }
}

/** The backlog gauge of the api's outbox relay. */
export async function outboxBacklog(api) {
    return api.metric('todo_outbox_backlog');
}

/**
 * A barrier for the audit consumer: creates a task for user after the api's outbox is empty
 * and waits for its "created" history entry. The audit group reads a user's partition in
 * order, so by then every event of the user published before it (duplicates included) has
 * been handled. Returns the sentinel task.
 */
export async function auditBarrier(cluster, user, { deadlineMs = 60000 } = {}) {
    await waitFor(async () => (await outboxBacklog(cluster.api)) === 0,
        { deadlineMs, intervalMs: 100, what: 'an empty outbox before the barrier' });
    const r = await cluster.client.post(`/api/${encodeURIComponent(user.id)}/tasks`,
        { token: user.token, json: { title: 'barrier' } });
    assert.equal(r.status, 201, `barrier create: ${r.status} ${r.text}`);
    await historyAtLeast(cluster.client, user, r.json.id, 1, { deadlineMs });
    return r.json;
}

export { sleep };
