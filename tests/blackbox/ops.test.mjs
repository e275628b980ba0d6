// ops.test.mjs - operations (docs/openapi.json, "Operations"): health, readiness, Prometheus metrics,
// the OpenAPI document against `todo routes`, 405 with Allow, X-Request-Id, JSON logs,
// migrations, and graceful shutdown on SIGTERM.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import {
    startServer, newUser, assertError, runTodo, freshDatabase, waitFor, BACKEND, dropDatabase, rawRequest,
} from './lib/server.mjs';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

// The routes this milestone must serve (docs/openapi.json: accounts, tasks, operations).
const EXPECTED_ROUTES = [
    'POST /api/auth/signup', 'POST /api/auth/login', 'GET /api/auth/me', 'PATCH /api/auth/me',
    'POST /api/auth/logout', 'POST /api/auth/logout-all', 'POST /api/auth/password',
    'GET /api/{user_id}/tasks', 'POST /api/{user_id}/tasks', 'GET /api/{user_id}/tasks/{id}',
    'PUT /api/{user_id}/tasks/{id}', 'PATCH /api/{user_id}/tasks/{id}', 'DELETE /api/{user_id}/tasks/{id}',
    'PATCH /api/{user_id}/tasks/{id}/complete', 'GET /api/{user_id}/tags',
    'GET /healthz', 'GET /readyz', 'GET /metrics', 'GET /api/openapi.json', 'GET /ws',
    // notifications and settings (issue 11)
    'GET /api/{user_id}/settings', 'PUT /api/{user_id}/settings',
    'POST /api/{user_id}/settings/webhook-secret', 'POST /api/{user_id}/settings/test/{channel}',
    'GET /api/{user_id}/notifications', 'POST /api/{user_id}/notifications/read-all',
    'POST /api/{user_id}/notifications/{id}/read',
];

/** Parses Prometheus text exposition; throws on a line that is not valid. */
function parseMetrics(text) {
    const types = new Map();
    const samples = [];
    for (const line of text.split('\n')) {
        if (line === '') continue;
        if (line.startsWith('#')) {
            const m = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*)(?: (.*))?$/.exec(line);
            if (!m) { if (/^# (HELP|TYPE)/.test(line)) throw new Error(`bad comment line: ${line}`); continue; }
            if (m[1] === 'TYPE') {
                assert.ok(['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(m[3]), `TYPE ${m[3]}`);
                types.set(m[2], m[3]);
            }
            continue;
        }
        const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: -?\d+)?$/.exec(line);
        if (!m) throw new Error(`bad sample line: ${JSON.stringify(line)}`);
        const labels = {};
        if (m[2]) {
            const rest = m[2].replace(/(\w+)="((?:[^"\\]|\\.)*)"\s*,?\s*/g, (_, k, v) => { labels[k] = v.replace(/\\(.)/g, (x, c) => (c === 'n' ? '\n' : c)); return ''; });
            if (rest.trim() !== '') throw new Error(`bad labels: ${line}`);
        }
        const v = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3]);
        if (Number.isNaN(v) && m[3] !== 'NaN') throw new Error(`bad value: ${line}`);
        samples.push({ name: m[1], labels, value: v });
    }
    return { types, samples };
}

const family = (name, types) => {
    for (const suf of ['_bucket', '_sum', '_count', '_total', '_created']) {
        if (name.endsWith(suf) && types.has(name.slice(0, -suf.length))) return name.slice(0, -suf.length);
    }
    return name;
};

describe('operations', () => {
    let srv;
    let api;
    let u;
    let task;
    let routes;
    before(async () => {
        srv = await startServer();
        api = srv.api;
        u = await newUser(api);
        task = await u.create({ title: 'ops task' });
        const r = await runTodo(['routes']);
        assert.equal(r.code, 0, `todo routes: ${r.stderr}`);
        routes = r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
    });
    after(async () => { await srv?.stop(); });

    it('help_of_each_service_command_lists_its_flags_on_stdout', async () => {
        for (const cmd of ['serve', 'api', 'audit', 'recurring', 'migrate']) {
            const r = await runTodo([cmd, '--help']);
            assert.equal(r.code, 0, `todo ${cmd} --help: ${r.stderr}`);
            for (const flag of ['--listen', '--database', '--bus', '--web-dir']) {
                assert.ok(r.stdout.includes(flag), `todo ${cmd} --help lacks ${flag}:\n${r.stdout}`);
            }
        }
    });

    it('every_flag_of_the_help_is_documented_in_operations_md', async () => {
        // the help is printed from config.c's one table of options: a new setting without its
        // row in docs/operations.md fails here
        const r = await runTodo(['serve', '--help']);
        const flags = [...new Set(r.stdout.match(/--[a-z0-9-]+/g))];
        assert.ok(flags.length > 40, `the help lists ${flags.length} flags:\n${r.stdout}`);
        const docs = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');
        const missing = flags.filter((f) => !docs.includes(`\`${f}\``));
        assert.deepEqual(missing, [], 'flags without a row in docs/operations.md');
    });

    it('healthz_readyz_and_metrics_answer_200_without_a_token', async () => {
        for (const p of ['/healthz', '/readyz', '/metrics']) {
            const r = await api.get(p);
            assert.equal(r.status, 200, `${p}: ${r.status} ${r.text.slice(0, 300)}`);
        }
    });

    it('todo_routes_prints_method_and_path_per_line_including_every_milestone_route', () => {
        for (const line of routes) assert.match(line, /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) \/\S*$/, line);
        assert.equal(new Set(routes).size, routes.length, 'no duplicates');
        for (const want of EXPECTED_ROUTES) assert.ok(routes.includes(want), `todo routes lists ${want}`);
    });

    it('openapi_json_is_openapi_3_1_and_documents_every_routed_method', async () => {
        const r = await api.get('/api/openapi.json', { token: u.token });
        assert.equal(r.status, 200, r.text.slice(0, 300));
        assert.match(r.headers.get('content-type'), /^application\/(vnd\.oai\.openapi\+)?json/);
        const doc = JSON.parse(r.text);
        assert.match(doc.openapi, /^3\.1\.\d+$/);
        assert.equal(typeof doc.info?.title, 'string');
        assert.equal(typeof doc.info?.version, 'string');
        assert.equal(typeof doc.paths, 'object');
        for (const line of routes) {
            const [method, p] = line.split(' ');
            assert.ok(doc.paths[p], `openapi has path ${p}`);
            const op = doc.paths[p][method.toLowerCase()];
            assert.ok(op, `openapi has ${method} ${p}`);
            assert.ok(op.responses && Object.keys(op.responses).length > 0, `${method} ${p} documents responses`);
            // every {param} in the path is declared as a required path parameter
            const params = [...(doc.paths[p].parameters || []), ...(op.parameters || [])].map((x) => (x.$ref ? resolve(doc, x.$ref) : x));
            for (const [, name] of p.matchAll(/\{([^}]+)\}/g)) {
                assert.ok(params.some((x) => x.name === name && x.in === 'path' && x.required === true),
                    `${method} ${p} declares path parameter ${name}`);
            }
        }
        // every local $ref resolves
        const walk = (v) => {
            if (Array.isArray(v)) v.forEach(walk);
            else if (v && typeof v === 'object') {
                if (typeof v.$ref === 'string' && v.$ref.startsWith('#/')) {
                    assert.ok(resolve(doc, v.$ref) !== undefined, `$ref ${v.$ref} resolves`);
                }
                Object.values(v).forEach(walk);
            }
        };
        walk(doc);
    });

    function resolve(doc, ref) {
        return ref.slice(2).split('/').reduce((o, k) => (o === undefined ? undefined : o[k.replace(/~1/g, '/').replace(/~0/g, '~')]), doc);
    }

    it('every_routed_path_answers_other_methods_with_405_and_an_allow_header_listing_its_methods', async () => {
        const byPath = new Map();
        for (const line of routes) {
            const [m, p] = line.split(' ');
            if (!byPath.has(p)) byPath.set(p, new Set());
            byPath.get(p).add(m);
        }
        for (const [p, methods] of byPath) {
            if (!EXPECTED_ROUTES.some((r) => r.endsWith(` ${p}`))) continue;
            const concrete = p.replace('{user_id}', u.id).replace('{id}', String(task.id));
            for (const m of METHODS.filter((x) => !methods.has(x))) {
                const r = await api.req(m, concrete, { token: u.token });
                assertError(r, 405, 'method_not_allowed');
                const allow = (r.headers.get('allow') || '').split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
                for (const want of methods) assert.ok(allow.includes(want), `${m} ${p}: Allow "${r.headers.get('allow')}" lists ${want}`);
                assert.ok(!allow.includes(m), `${m} ${p}: Allow does not list ${m}`);
            }
        }
    });

    it('every_response_carries_a_distinct_x_request_id', async () => {
        const responses = [
            await api.get('/healthz'),
            await api.get('/metrics'),
            await u.post('/tasks', { json: { title: 'rid' } }),
            await u.get(`/tasks/${task.id}`),
            await u.get('/tasks/987654321'),
            await api.get(`/api/${u.id}/tasks`),
            await api.req('DELETE', '/healthz'),
            await api.get('/no/such/route'),
            await u.post('/tasks', { body: 'x', headers: { 'content-type': 'text/plain' } }),
        ];
        const rids = responses.map((r) => r.headers.get('x-request-id'));
        for (const [i, rid] of rids.entries()) assert.ok(rid && rid.length >= 8, `response ${i} (${responses[i].status}) has X-Request-Id`);
        assert.equal(new Set(rids).size, rids.length, 'request ids are distinct');
        const del = await u.del(`/tasks/${responses[2].json.id}`);
        assert.equal(del.status, 204);
        assert.ok(del.headers.get('x-request-id'), '204 has X-Request-Id');
    });

    it('tokens_last_a_day_by_default', () => {
        // u signed up on this server, started without TODO_TOKEN_TTL
        const exp = Date.parse(u.expires_at);
        assert.ok(Math.abs(exp - (Date.parse(u.user.created_at) + 86400000)) < 60000, `expires_at ${u.expires_at}`);
    });

    it('an_unknown_route_is_404_not_found_json', async () => {
        assertError(await api.get('/no/such/route'), 404, 'not_found');
        assertError(await u.get('/nothing-here'), 404, 'not_found');
    });

    it('healthz_answers_405_with_allow_for_delete', async () => {
        const r = await api.req('DELETE', '/healthz');
        assertError(r, 405, 'method_not_allowed');
        assert.match(r.headers.get('allow') || '', /\bGET\b/);
    });

    const statusOf = (s) => s.labels.status ?? s.labels.code;
    /** The total of GET .../tasks/{id} 200 request counters in a scrape. */
    const getTask = (set) => set.filter((s) => s.labels.method === 'GET' && statusOf(s) === '200' &&
        /\{id\}/.test(s.labels.route ?? '') && /(_total|requests)/.test(s.name) && !/_bucket|_sum|_count$/.test(s.name))
        .reduce((a, s) => a + s.value, 0);
    const canon = (labels) => JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));

    it('metrics_is_prometheus_text_with_requests_latency_memory_fds_and_uptime', async () => {
        for (let i = 0; i < 3; i++) assert.equal((await u.get(`/tasks/${task.id}`)).status, 200);
        assert.equal((await u.post('/tasks', { json: { title: 'metrics' } })).status, 201);
        const scrape = async () => parseMetrics((await api.get('/metrics')).text);
        // a request may be counted just after its response is sent: wait for a stable value
        let prev = -1;
        const n0 = await waitFor(async () => {
            const v = getTask((await scrape()).samples);
            const stable = v === prev && v >= 3;
            prev = v;
            return stable ? v : 0;
        }, { what: 'stable request counters' });
        const r = await api.get('/metrics');
        assert.equal(r.status, 200);
        assert.match(r.headers.get('content-type'), /^text\/plain/);
        const { types, samples } = parseMetrics(r.text);
        for (const s of samples) {
            assert.ok(types.has(family(s.name, types)), `sample ${s.name} has a # TYPE`);
            for (const v of Object.values(s.labels)) {
                assert.ok(!v.includes(u.id), `no label value carries a user id (route templates only): ${s.name} ${JSON.stringify(s.labels)}`);
            }
        }
        const reqs = samples.filter((s) => types.get(family(s.name, types)) === 'counter' && s.labels.route !== undefined &&
            s.labels.method !== undefined && statusOf(s) !== undefined);
        assert.ok(reqs.length > 0, 'a request counter labelled route/method/status');
        const created = reqs.find((s) => s.labels.method === 'POST' && statusOf(s) === '201' && /tasks/.test(s.labels.route));
        assert.ok(created && created.value >= 1, 'POST .../tasks 201 counted');
        assert.ok(getTask(samples) >= 3, 'GET .../tasks/{id} 200 counted under its route template');
        await u.get(`/tasks/${task.id}`);
        await u.get(`/tasks/${task.id}`);
        const n2 = await waitFor(async () => {
            const v = getTask((await scrape()).samples);
            return v >= n0 + 2 ? v : 0;
        }, { deadlineMs: 3000, what: 'the counter to count two more requests' });
        assert.equal(n2 - n0, 2, 'the counter counts each request once');

        const hist = [...types].filter(([, t]) => t === 'histogram').map(([n]) => n);
        assert.ok(hist.length > 0, 'a histogram');
        const h = hist.find((n) => samples.some((s) => s.name === `${n}_bucket`)) || hist[0];
        const buckets = samples.filter((s) => s.name === `${h}_bucket`);
        assert.ok(buckets.some((s) => s.labels.le === '+Inf'), `${h} has a +Inf bucket`);
        assert.ok(samples.some((s) => s.name === `${h}_sum`), `${h}_sum`);
        for (const inf of buckets.filter((s) => s.labels.le === '+Inf')) {
            const { le, ...rest } = inf.labels;
            const count = samples.find((s) => s.name === `${h}_count` && canon(s.labels) === canon(rest));
            assert.ok(count, `${h}_count for ${JSON.stringify(rest)}`);
            assert.equal(count.value, inf.value, `${h}: +Inf bucket equals _count for ${JSON.stringify(rest)}`);
        }
        const positive = (re, what) => assert.ok(samples.some((s) => re.test(s.name) && s.value > 0), `${what}: ${re}`);
        positive(/memory|resident/, 'process memory');
        positive(/open_fds|fds/, 'open file descriptors');
        positive(/uptime|start_time/, 'uptime or start time');
    });

    it('stdout_is_json_lines_and_the_access_log_carries_the_request_id', async () => {
        const r = await u.get(`/tasks/${task.id}`);
        const rid = r.headers.get('x-request-id');
        await waitFor(() => srv.stdout().includes(rid), { deadlineMs: 5000, what: 'the access log line' });
        const lines = srv.stdout().split('\n').filter((l) => l.trim() !== '');
        assert.ok(lines.length > 0);
        for (const l of lines) {
            let o;
            assert.doesNotThrow(() => { o = JSON.parse(l); }, `not JSON: ${l.slice(0, 200)}`);
            assert.ok(o && typeof o === 'object' && !Array.isArray(o), `a JSON object per line: ${l.slice(0, 200)}`);
            for (const k of ['ts', 'level', 'msg']) assert.ok(k in o, `log line has ${k}: ${l.slice(0, 200)}`);
        }
    });

    it('migrate_is_idempotent_on_a_fresh_database', async () => {
        const dir = mkdtempSync(path.join(os.tmpdir(), 'todo-bb-mig-'));
        try {
            const url = await freshDatabase(dir);
            for (let i = 0; i < 2; i++) {
                const m = await runTodo(['migrate', '--database', url]);
                assert.equal(m.code, 0, `migrate run ${i + 1}: ${m.stderr}${m.stdout}`);
            }
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe('access log switch', () => {
    it('todo_access_log_0_silences_access_lines', async () => {
        const s = await startServer({ env: { TODO_ACCESS_LOG: '0' } });
        try {
            const rids = [];
            for (let i = 0; i < 3; i++) rids.push((await s.api.get('/healthz')).headers.get('x-request-id'));
            const u = await newUser(s.api);
            rids.push((await u.get('/tasks')).headers.get('x-request-id'));
            const out = s.stdout();
            for (const rid of rids) assert.ok(!out.includes(rid), `no access line for ${rid}`);
        } finally {
            await s.stop();
        }
    });
});

describe('graceful shutdown', () => {
    it('sigterm_finishes_an_in_flight_request_then_exits_0', async () => {
        const s = await startServer();
        let stopped = false;
        try {
            const u = await newUser(s.api);
            const body = Buffer.from(JSON.stringify({ title: 'in flight', description: 'x'.repeat(2000) }));
            const sock = net.connect(s.port, '127.0.0.1');
            await new Promise((res, rej) => { sock.once('connect', res); sock.once('error', rej); });
            let response = '';
            sock.setEncoding('utf8');
            sock.on('data', (d) => { response += d; });
            const closed = new Promise((res) => sock.on('close', res));
            sock.write(`POST /api/${u.id}/tasks HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nAuthorization: Bearer ${u.token}\r\n` +
                `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`);
            sock.write(body.subarray(0, 100));
            // Give the server a moment to have the request in hand before the signal, and
            // the signal a moment to land before the rest of the body (no event to wait on).
            await new Promise((r) => setTimeout(r, 300));
            s.terminate();
            await new Promise((r) => setTimeout(r, 300));
            sock.end(body.subarray(100));
            await Promise.race([closed, new Promise((r) => setTimeout(r, 15000))]);
            assert.match(response, /^HTTP\/1\.[01] 201 /, `in-flight request completed: ${response.slice(0, 300)}`);
            assert.match(response, /"title"\s*:\s*"in flight"/);
            stopped = true;
            await s.stop(); // waits for the exit and asserts code 0
        } finally {
            if (!stopped) await s.stop().catch(() => {});
        }
    });

    it('sigterm_with_idle_keep_alive_connections_exits_0_promptly', async () => {
        const s = await startServer();
        // fetch keeps its connections alive in a pool; make several
        await Promise.all(Array.from({ length: 5 }, () => s.api.get('/healthz')));
        const t0 = Date.now();
        await s.stop();
        assert.ok(Date.now() - t0 < 10000, `exited in ${Date.now() - t0} ms`);
    });
});

describe('database outage', () => {
    it('readyz_is_503_unavailable_when_the_database_is_gone_while_healthz_stays_200',
        { skip: BACKEND !== 'postgres' && 'needs a database the test can take away (postgres)' }, async () => {
            const s = await startServer();
            try {
                const u = await newUser(s.api);
                assert.equal((await s.api.get('/readyz')).status, 200);
                await dropDatabase(s.databaseUrl);
                const r = await waitFor(async () => {
                    const x = await s.api.get('/readyz');
                    return x.status !== 200 && x;
                }, { deadlineMs: 15000, what: '/readyz to notice' });
                // /readyz reports status, its body is a health document rather than an API error
                assert.equal(r.status, 503, r.text);
                assert.equal((await s.api.get('/healthz')).status, 200, 'alive even when not ready');
                const t = await u.get('/tasks');
                assertError(t, 503, 'unavailable');
            } finally {
                await s.stop();
            }
        });
});

describe('transfer encodings', () => {
    it('a_chunked_json_body_is_accepted', async () => {
        const s = await startServer();
        try {
            const u = await newUser(s.api);
            const r = await rawRequest(s.url, 'POST', u.tasks, {
                headers: { authorization: `Bearer ${u.token}`, 'content-type': 'application/json' },
                body: Buffer.from(JSON.stringify({ title: 'chunked', description: 'ÿ'.repeat(10000) })), chunked: true,
                chunkSize: 997, // odd size: chunks split multi-byte characters
            });
            assert.equal(r.status, 201, r.text.slice(0, 300));
            assert.equal(r.json.title, 'chunked');
            assert.equal(r.json.description, 'ÿ'.repeat(10000));
        } finally {
            await s.stop();
        }
    });
});
