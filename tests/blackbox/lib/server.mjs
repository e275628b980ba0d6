// server.mjs - what every black-box test file needs: start the real `todo` binary on a free
// loopback port against a fresh database (SQLite file or a new PostgreSQL database), wait for
// /healthz, stop it with SIGTERM (asserting exit 0), talk to it over fetch, make users and
// tokens. One server per test file, so files are independent and can run in parallel.
//
// Environment:
//   TODO_BIN                     the binary (default: build/todo under the repo root)
//   TODO_TEST_DATABASE           sqlite (default) | postgres
//   TODO_TEST_POSTGRES_BASE_URL  postgres://user@host:port (no database); a fresh database
//                                is created per server with psql
//   TODO_TEST_PSQL               psql to use (default: psql on PATH)
import { spawn, execFile } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import assert from 'node:assert/strict';

const execFileP = promisify(execFile);

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const TODO_BIN = path.resolve(REPO_ROOT, process.env.TODO_BIN || 'build/todo');
export const BACKEND = process.env.TODO_TEST_DATABASE || 'sqlite';

const START_DEADLINE_MS = 20000;
const STOP_DEADLINE_MS = 20000;

let uniq = 0;
/** A string unique across processes and runs: safe for emails, database names, titles. */
export function unique(prefix = 'u') {
    uniq += 1;
    return `${prefix}${process.pid}x${uniq}x${randomBytes(4).toString('hex')}`;
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort() {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.unref();
        srv.on('error', reject);
        srv.listen(0, '127.0.0.1', () => {
            const { port } = srv.address();
            srv.close(() => resolve(port));
        });
    });
}

/** Polls fn (async, returns truthy when done) until it succeeds or the deadline passes. */
export async function waitFor(fn, { deadlineMs = 10000, intervalMs = 50, what = 'condition' } = {}) {
    const until = Date.now() + deadlineMs;
    let last;
    for (;;) {
        try {
            const v = await fn();
            if (v) return v;
        } catch (e) {
            last = e;
        }
        if (Date.now() > until) {
            throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
        }
        await new Promise((r) => setTimeout(r, intervalMs));
    }
}

/** Runs the binary with args; resolves {code, stdout, stderr} (never rejects on exit code). */
export async function runTodo(args, { env = {}, timeoutMs = 30000 } = {}) {
    try {
        const { stdout, stderr } = await execFileP(TODO_BIN, args, {
            env: childEnv(env),
            timeout: timeoutMs,
            maxBuffer: 16 << 20,
        });
        return { code: 0, stdout, stderr };
    } catch (e) {
        if (typeof e.code === 'number') return { code: e.code, stdout: e.stdout, stderr: e.stderr };
        throw e;
    }
}

function childEnv(extra) {
    const env = {};
    for (const [k, v] of Object.entries(process.env)) {
        if (!k.startsWith('TODO_')) env[k] = v; // nothing of ours leaks into the server
    }
    return { ...env, ...extra };
}

/** A fresh database URL for one server (and the directory a SQLite file lives in). */
export async function freshDatabase(dir) {
    if (BACKEND === 'sqlite') return `sqlite:${path.join(dir, 'todo.db')}`;
    if (BACKEND !== 'postgres') throw new Error(`TODO_TEST_DATABASE=${BACKEND}: want sqlite|postgres`);
    const base = process.env.TODO_TEST_POSTGRES_BASE_URL;
    if (!base) throw new Error('TODO_TEST_POSTGRES_BASE_URL is not set');
    const name = unique('bb_').toLowerCase();
    const psql = process.env.TODO_TEST_PSQL || 'psql';
    await execFileP(psql, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', `${base.replace(/\/$/, '')}/postgres`,
        '-c', `CREATE DATABASE ${name}`]);
    return `${base.replace(/\/$/, '')}/${name}`;
}

/** PostgreSQL only: drops the database of url, disconnecting its sessions. */
export async function dropDatabase(url) {
    const u = new URL(url);
    const name = u.pathname.slice(1);
    assert.match(name, /^[a-z0-9_]+$/);
    u.pathname = '/postgres';
    const psql = process.env.TODO_TEST_PSQL || 'psql';
    await execFileP(psql, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', u.toString(), '-c', `DROP DATABASE ${name} WITH (FORCE)`]);
}

/**
 * Starts `todo serve` on a free loopback port with a fresh data dir and database, runs
 * `todo migrate` first (idempotent by contract), and waits for /healthz. Options:
 *   env: extra environment (TODO_LOGIN_LIMIT, ...); migrate: false to skip `todo migrate`;
 *   command: the role to run instead of serve (api);
 *   databaseUrl, secret: another server's, to run a second replica over its database.
 * Sign-ups are not limited per address (TODO_SIGNUP_LIMIT_ADDR=0: every test signs up from
 * 127.0.0.1) unless env sets TODO_SIGNUP_LIMIT_ADDR.
 * The web UI is off (TODO_WEB_DIR empty) unless env sets TODO_WEB_DIR, so no test depends
 * on whether web/out happens to be built.
 * Returns {url, port, api, proc, secret, databaseUrl, dataDir, stdout(), stderr(), stop()}.
 */
export async function startServer({ env = {}, migrate = true, command = 'serve', ...reuse } = {}) {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'todo-bb-'));
    const databaseUrl = reuse.databaseUrl || await freshDatabase(dataDir);
    const secret = reuse.secret || `bb-secret-${randomBytes(16).toString('hex')}`;
    const baseEnv = { TODO_JWT_SECRET: secret, TODO_WEB_DIR: '', TODO_SIGNUP_LIMIT_ADDR: '0', ...env };
    if (migrate) {
        const r = await runTodo(['migrate', '--database', databaseUrl], { env: baseEnv });
        assert.equal(r.code, 0, `todo migrate failed (${r.code}): ${r.stderr}${r.stdout}`);
    }
    let lastErr;
    for (let attempt = 0; attempt < 3; attempt++) {
        const port = await freePort();
        try {
            return await launch({ port, dataDir, databaseUrl, secret, env: baseEnv, command });
        } catch (e) {
            lastErr = e; // most likely the port was taken in between: try another
        }
    }
    rmSync(dataDir, { recursive: true, force: true });
    throw lastErr;
}

async function launch({ port, dataDir, databaseUrl, secret, env, command }) {
    const url = `http://127.0.0.1:${port}`;
    const proc = spawn(TODO_BIN, [command, '--listen', `127.0.0.1:${port}`, '--database', databaseUrl,
        '--data-dir', dataDir], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    const out = { stdout: '', stderr: '' };
    const cap = 8 << 20;
    proc.stdout.setEncoding('utf8');
    proc.stderr.setEncoding('utf8');
    proc.stdout.on('data', (d) => { if (out.stdout.length < cap) out.stdout += d; });
    proc.stderr.on('data', (d) => { if (out.stderr.length < cap) out.stderr += d; });
    const exited = new Promise((resolve) => {
        proc.on('exit', (code, signal) => resolve({ code, signal }));
        proc.on('error', (err) => resolve({ code: null, signal: null, err }));
    });
    let exit = null;
    exited.then((e) => { exit = e; });

    const until = Date.now() + START_DEADLINE_MS;
    for (;;) {
        if (exit) {
            throw new Error(`todo serve exited before answering /healthz (${JSON.stringify(exit)}):\n` +
                `${out.stderr.slice(-4000)}\n${out.stdout.slice(-4000)}`);
        }
        try {
            const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
            await r.arrayBuffer();
            if (r.status === 200) break;
        } catch { /* not listening yet */ }
        if (Date.now() > until) {
            proc.kill('SIGKILL');
            throw new Error(`todo serve did not answer /healthz within ${START_DEADLINE_MS} ms:\n` +
                `${out.stderr.slice(-4000)}\n${out.stdout.slice(-4000)}`);
        }
        await new Promise((r) => setTimeout(r, 50));
    }

    const server = {
        url, port, proc, secret, databaseUrl, dataDir,
        api: new Api(url),
        stdout: () => out.stdout,
        stderr: () => out.stderr,
        exited,
        /** Sends SIGTERM once (stop() then only waits). */
        terminate() {
            if (!server.terminated && !exit) { server.terminated = true; proc.kill('SIGTERM'); }
        },
        terminated: false,
        /** SIGTERM, wait for the exit, assert it was 0; removes the data dir. */
        async stop() {
            server.terminate();
            const timer = new Promise((r) => setTimeout(r, STOP_DEADLINE_MS, 'timeout').unref());
            const res = await Promise.race([exited, timer]);
            if (res === 'timeout') {
                proc.kill('SIGKILL');
                await exited;
                rmSync(dataDir, { recursive: true, force: true });
                assert.fail(`todo serve did not exit within ${STOP_DEADLINE_MS} ms of SIGTERM`);
            }
            rmSync(dataDir, { recursive: true, force: true });
            assert.deepEqual({ code: res.code, signal: res.signal }, { code: 0, signal: null },
                `todo serve should exit 0 on SIGTERM; stderr:\n${out.stderr.slice(-4000)}`);
        },
        /** SIGTERM (exit 0 asserted), then the same role again on the same port and data;
         * this object then stands for the new process. */
        async restart() {
            server.terminate();
            const res = await exited;
            assert.deepEqual({ code: res.code, signal: res.signal }, { code: 0, signal: null },
                `todo ${command} should exit 0 on SIGTERM; stderr:\n${out.stderr.slice(-4000)}`);
            Object.assign(server, await launch({ port, dataDir, databaseUrl, secret, env, command }));
        },
    };
    return server;
}

/** HTTP over global fetch. Every call resolves {status, headers, text, json}. */
export class Api {
    constructor(url) { this.url = url; }

    /**
     * opts: token (Bearer), json (serialised, Content-Type application/json), body (raw
     * string/Buffer sent as bytes, no Content-Type unless given), headers.
     */
    async req(method, p, { token, json, body, headers = {} } = {}) {
        const h = { ...headers };
        if (token !== undefined && token !== null) h.authorization = `Bearer ${token}`;
        let payload;
        if (json !== undefined) {
            payload = Buffer.from(JSON.stringify(json));
            if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) {
                h['content-type'] = 'application/json';
            }
        } else if (body !== undefined) {
            payload = Buffer.isBuffer(body) ? body : Buffer.from(body); // bytes: fetch adds no type
        }
        const r = await fetch(this.url + p, { method, headers: h, body: payload,
            signal: AbortSignal.timeout(30000) });
        const text = await r.text();
        let parsed;
        try { parsed = text.length ? JSON.parse(text) : undefined; } catch { parsed = undefined; }
        return { status: r.status, headers: r.headers, text, json: parsed };
    }

    get(p, o) { return this.req('GET', p, o); }
    post(p, o) { return this.req('POST', p, o); }
    put(p, o) { return this.req('PUT', p, o); }
    patch(p, o) { return this.req('PATCH', p, o); }
    del(p, o) { return this.req('DELETE', p, o); }
}

/**
 * A raw HTTP request with node:http, for cases fetch cannot express (huge bodies the server
 * may refuse before reading them all). Resolves {status, headers, text, json} as soon as a
 * response arrives, even if the upload then fails because the server stopped reading.
 */
export function rawRequest(url, method, p, { headers = {}, body, chunked = false, chunkSize = 64 * 1024 } = {}) {
    return new Promise((resolve, reject) => {
        const u = new URL(url + p);
        let done = false;
        const h = { ...headers };
        if (chunked) h['transfer-encoding'] = 'chunked';
        else if (body) h['content-length'] = Buffer.byteLength(body);
        const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method,
            headers: h, agent: false });
        req.setTimeout(30000, () => req.destroy(new Error('timeout')));
        req.on('response', (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            const finish = () => {
                if (done) return;
                done = true;
                const text = Buffer.concat(chunks).toString('utf8');
                let json;
                try { json = JSON.parse(text); } catch { json = undefined; }
                resolve({ status: res.statusCode, headers: new Headers(Object.entries(res.headers)
                    .map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)])), text, json });
            };
            res.on('end', finish);
            res.on('error', finish);
            res.on('close', finish);
        });
        req.on('error', (e) => { if (!done) { setTimeout(() => { if (!done) { done = true; reject(e); } }, 200); } });
        if (body && chunked) {
            for (let off = 0; off < body.length; off += chunkSize) req.write(body.subarray(off, off + chunkSize));
        } else if (body) req.write(body);
        req.end();
    });
}

// ---- tokens ----

const b64url = (buf) => Buffer.from(buf).toString('base64url');

/** An HS256 (or other, unsigned if alg is "none") JWT for payload, signed with secret. */
export function signJwt(payload, secret, header = { alg: 'HS256', typ: 'JWT' }) {
    const head = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
    if (header.alg === 'none') return `${head}.`;
    const sig = createHmac('sha256', secret).update(head).digest();
    return `${head}.${b64url(sig)}`;
}

export function decodeJwt(token) {
    const [h, p] = token.split('.');
    return { header: JSON.parse(Buffer.from(h, 'base64url')), payload: JSON.parse(Buffer.from(p, 'base64url')) };
}

// ---- users ----

export const PASSWORD = 'correct horse battery staple';

/** Signs up a fresh user; returns {token, user, id, email, password, expires_at}. */
export async function signup(api, { email, password = PASSWORD, name, timezone } = {}) {
    const body = { email: email || `${unique('user')}@example.com`, password };
    if (name !== undefined) body.name = name;
    if (timezone !== undefined) body.timezone = timezone;
    const r = await api.post('/api/auth/signup', { json: body });
    assert.equal(r.status, 201, `signup should be 201, got ${r.status} ${r.text}`);
    return { token: r.json.token, user: r.json.user, id: r.json.user.id, email: body.email, password,
        expires_at: r.json.expires_at };
}

/** A user plus shortcuts bound to its token and path prefix. */
export async function newUser(api, opts) {
    const u = await signup(api, opts);
    const base = `/api/${encodeURIComponent(u.id)}`;
    const o = (x = {}) => ({ token: u.token, ...x });
    return {
        ...u,
        base,
        tasks: `${base}/tasks`,
        create: async (task) => {
            const r = await api.post(`${base}/tasks`, o({ json: task }));
            assert.equal(r.status, 201, `create should be 201, got ${r.status} ${r.text}`);
            return r.json;
        },
        get: (p, x) => api.get(base + p, o(x)),
        post: (p, x) => api.post(base + p, o(x)),
        put: (p, x) => api.put(base + p, o(x)),
        patch: (p, x) => api.patch(base + p, o(x)),
        del: (p, x) => api.del(base + p, o(x)),
        /** GET the list with query params (object); asserts 200. */
        list: async (params = {}) => {
            const r = await api.get(`${base}/tasks?${new URLSearchParams(params)}`, o());
            assert.equal(r.status, 200, `list ${new URLSearchParams(params)} should be 200, got ${r.status} ${r.text}`);
            return r.json;
        },
        /** Every task over all pages (asserts each page is 200). */
        listAll: async (params = {}) => {
            const items = [];
            let cursor;
            for (let i = 0; i < 1000; i++) {
                const q = { ...params, ...(cursor ? { cursor } : {}) };
                const r = await api.get(`${base}/tasks?${new URLSearchParams(q)}`, o());
                assert.equal(r.status, 200, `list ${new URLSearchParams(q)}: ${r.status} ${r.text}`);
                items.push(...r.json.items);
                cursor = r.json.next_cursor;
                if (cursor === null) return items;
                assert.equal(typeof cursor, 'string', 'next_cursor is a string or null');
            }
            throw new Error('paging did not end');
        },
    };
}

// ---- assertions ----

/** Asserts the documented error shape {error: {code, message, details?}} and the status. */
export function assertError(res, status, code, { field } = {}) {
    const where = `${res.status} ${res.text.slice(0, 600)}`;
    assert.equal(res.status, status, `want ${status} ${code}, got ${where}`);
    assert.ok(res.headers.get('x-request-id'), 'X-Request-Id on an error response');
    assert.match(res.headers.get('content-type') || '', /^application\/json/i, `JSON error body: ${where}`);
    assert.ok(res.json && typeof res.json === 'object' && !Array.isArray(res.json), `error body is JSON: ${where}`);
    const e = res.json.error;
    assert.ok(e && typeof e === 'object', `body has "error": ${where}`);
    assert.equal(e.code, code, `error.code: ${where}`);
    assert.equal(typeof e.message, 'string', `error.message is a string: ${where}`);
    assert.ok(e.message.length > 0, 'error.message is not empty');
    if (e.details !== undefined) {
        assert.ok(Array.isArray(e.details), `error.details is an array: ${where}`);
        for (const d of e.details) {
            assert.equal(typeof d.field, 'string', `details[].field: ${where}`);
            assert.equal(typeof d.message, 'string', `details[].message: ${where}`);
        }
    }
    if (field) {
        assert.ok(Array.isArray(e.details) && e.details.some((d) => d.field === field || d.field.startsWith(`${field}.`) ||
            d.field.startsWith(`${field}[`)), `error.details names field "${field}": ${where}`);
    }
}

export const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** The task ids of a list of tasks. */
export const ids = (items) => items.map((t) => t.id);
