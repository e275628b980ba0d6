// realtime.mjs - change -> WebSocket client latency of live sync (docs/benchmarks.md,
// "Realtime"). Usage: node bench/realtime.mjs embedded|kafka
//
//   embedded  `todo serve` (the API and the WebSocket hub in one process), SQLite
//   kafka     `todo api` and `todo audit` (tests/events/lib/cluster.mjs) plus `todo realtime`
//             as a third process, over Kafka and PostgreSQL; run under
//             scripts/with-postgres.sh scripts/with-kafka.sh
//
// BENCH_CONNECTIONS WebSockets (1000) for BENCH_USERS users (10), spread evenly, opened with
// the npm `ws` client and authenticated by subprotocol. Per sample one user renames one of
// its tasks (PATCH); the time runs from sending the PATCH to each of that user's sockets
// receiving the push (100 per sample with the defaults), and, for comparison within the run,
// to the PATCH's own 200. Samples run one at a time (the next starts once every socket got
// the push). Prints a "RESULT k=v ..." line on stdout for bench/realtime.sh.
//
// Knobs (environment): BENCH_CONNECTIONS (1000), BENCH_USERS (10), BENCH_CHANGES (200),
// BENCH_WARMUP (10), BENCH_DEADLINE_MS (30000 per sample), TODO_BIN (build/todo).
import os from 'node:os';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { startServer, newUser, freePort } from '../tests/blackbox/lib/server.mjs';

const require = createRequire(import.meta.url);
const WebSocket = require('../tests/blackbox/node_modules/ws');

const mode = process.argv[2];
if (!['embedded', 'kafka'].includes(mode)) {
    console.error('usage: node bench/realtime.mjs embedded|kafka');
    process.exit(2);
}
const CONNS = Number(process.env.BENCH_CONNECTIONS || 1000);
const USERS = Number(process.env.BENCH_USERS || 10);
const N = Number(process.env.BENCH_CHANGES || 200);
const WARMUP = Number(process.env.BENCH_WARMUP || 10);
const DEADLINE_MS = Number(process.env.BENCH_DEADLINE_MS || 30000);
const SERVER_ENV = { TODO_ACCESS_LOG: '0', TODO_LOG_LEVEL: 'warn' };
const now = () => Number(process.hrtime.bigint()) / 1e6; // ms, monotonic

function pct(sorted, p) {
    const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
    return sorted[i];
}

function summary(xs) {
    const s = [...xs].sort((a, b) => a - b);
    const f = (v) => v.toFixed(2);
    return { p50: f(pct(s, 50)), p99: f(pct(s, 99)), max: f(s[s.length - 1]) };
}

async function start() {
    if (mode === 'embedded') {
        const srv = await startServer({ env: SERVER_ENV });
        return { client: srv.api, wsPort: srv.port, pid: srv.proc.pid, store: 'sqlite', stop: () => srv.stop() };
    }
    const { startCluster, Role } = await import('../tests/events/lib/cluster.mjs');
    const cl = await startCluster({ env: { TODO_LOG_LEVEL: 'warn' } });
    const rt = new Role('realtime', { databaseUrl: cl.databaseUrl, secret: cl.secret,
        dataDir: cl.dataDir, port: await freePort(), env: { TODO_LOG_LEVEL: 'warn' } });
    await rt.start();
    return { client: cl.client, wsPort: rt.port, pid: rt.pid, store: 'postgres', cl,
        stop: async () => { await rt.stop(); await cl.stop(); } };
}

/** Opens a user's share of the sockets; resolves once each said ready. */
function open(port, token, n, onTask) {
    return Promise.all(Array.from({ length: n }, () => new Promise((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, ['todo', `bearer.${token}`]);
        ws.on('error', reject);
        ws.on('message', (d) => {
            const m = JSON.parse(d.toString());
            if (m.type === 'ready') resolve(ws);
            else if (m.type === 'task.changed') onTask(m);
        });
    })));
}

const rss = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);

const env = await start();
let failed = false;
const sockets = [];
try {
    const users = [];
    for (let i = 0; i < USERS; i++) users.push(await newUser(env.client));
    // per user: the title awaited, when the PATCH was sent, and the arrival times
    const waiting = users.map(() => ({ title: null, t0: 0, arrivals: [] }));
    const rssBefore = rss(env.pid);
    for (let i = 0; i < USERS; i++) {
        const share = Math.floor(CONNS / USERS) + (i < CONNS % USERS ? 1 : 0);
        const w = waiting[i];
        sockets.push(...await open(env.wsPort, users[i].token, share, (m) => {
            if (m.task.title === w.title) w.arrivals.push(now() - w.t0);
        }));
    }
    const rssOpen = rss(env.pid);
    const tasks = await Promise.all(users.map((u) => u.create({ title: 'bench' })));
    const perUser = users.map((_, i) => Math.floor(CONNS / USERS) + (i < CONNS % USERS ? 1 : 0));
    const push = [];
    const write = [];
    for (let s = 0; s < WARMUP + N; s++) {
        const i = s % USERS;
        const w = waiting[i];
        w.title = `bench ${s}`;
        w.arrivals = [];
        w.t0 = now();
        const r = await users[i].patch(`/tasks/${tasks[i].id}`, { json: { title: w.title } });
        if (r.status !== 200) throw new Error(`patch: ${r.status} ${r.text}`);
        const wrote = now() - w.t0;
        while (w.arrivals.length < perUser[i]) {
            if (now() - w.t0 > DEADLINE_MS) throw new Error(`sample ${s}: ${w.arrivals.length} of ${perUser[i]} pushes`);
            await new Promise((res) => setImmediate(res));
        }
        if (s >= WARMUP) {
            push.push(...w.arrivals);
            write.push(wrote);
        }
    }
    const p = summary(push);
    const wr = summary(write);
    const load = os.loadavg().map((x) => x.toFixed(2)).join(',');
    console.log(`RESULT mode=${mode} store=${env.store} connections=${sockets.length} changes=${N} ` +
        `deliveries=${push.length} push_p50_ms=${p.p50} push_p99_ms=${p.p99} push_max_ms=${p.max} ` +
        `write_p50_ms=${wr.p50} write_p99_ms=${wr.p99} rss_before_kb=${rssBefore} rss_open_kb=${rssOpen} ` +
        `load=${load}`);
} catch (e) {
    failed = true;
    console.error(e.stack || String(e));
    if (env.cl) console.error(env.cl.logs());
} finally {
    for (const ws of sockets) ws.terminate();
    await env.stop().catch((e) => { failed = true; console.error(`stop: ${e.message}`); });
}
process.exit(failed ? 1 : 0);
